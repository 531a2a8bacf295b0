locals {
  url_settings = {
    detector = {
      authorization_type = var.function_url_authorization_type
      allow_public       = var.allow_public_function_url
      invoker_arns       = var.function_url_invoker_arns
      cors               = var.function_url_cors
    }
    enroller = {
      authorization_type = var.enroller_function_url_authorization_type
      allow_public       = var.allow_public_enroller_url
      invoker_arns       = var.enroller_function_url_invoker_arns
      cors               = var.enroller_function_url_cors
    }
  }

  # Since October 2025 a new Function URL answers 403 unless the resource policy allows the caller both
  # lambda:InvokeFunctionUrl and lambda:InvokeFunction. AWS scopes the second one to URL calls with the
  # lambda:InvokedViaFunctionUrl condition, which aws_lambda_permission can express only from provider
  # 6.29 (invoked_via_function_url); this module also runs on 5.x, so InvokeFunction goes to exactly the
  # principals that may call the URL: each named invoker for AWS_IAM, and "*" for NONE. Whoever may call
  # a public URL could already run the function, so the direct Invoke API adds no new caller.
  url_principals = {
    for fn, url in local.url_settings : fn => (url.authorization_type == "NONE" ? { Public = "*" }
    : { for arn in url.invoker_arns : substr(sha256(arn), 0, 16) => arn })
  }

  url_permissions = var.deploy_functions ? merge([
    for fn, principals in local.url_principals : merge([
      for id, principal in principals : {
        "${fn}/InvokeFunctionUrl/${principal}" = {
          function     = fn
          statement_id = "FunctionUrlInvokeUrl${id}"
          action       = "lambda:InvokeFunctionUrl"
          principal    = principal
          auth_type    = local.url_settings[fn].authorization_type
        }
        "${fn}/InvokeFunction/${principal}" = {
          function     = fn
          statement_id = "FunctionUrlInvokeFunction${id}"
          action       = "lambda:InvokeFunction"
          principal    = principal
          # AddPermission accepts FunctionUrlAuthType only with lambda:InvokeFunctionUrl.
          auth_type = null
        }
      }
    ]...)
  ]...) : {}
}

resource "aws_lambda_function_url" "this" {
  for_each = var.deploy_functions ? local.url_settings : {}

  function_name      = aws_lambda_function.this[each.key].function_name
  authorization_type = each.value.authorization_type

  dynamic "cors" {
    for_each = each.value.cors == null ? [] : [each.value.cors]

    content {
      allow_origins     = cors.value.allow_origins
      allow_methods     = cors.value.allow_methods
      allow_headers     = cors.value.allow_headers
      expose_headers    = cors.value.expose_headers
      allow_credentials = cors.value.allow_credentials
      max_age           = cors.value.max_age
    }
  }

  lifecycle {
    # Repeats the variable validations so no refactor can ever publish a URL by accident.
    precondition {
      condition     = each.value.authorization_type == "AWS_IAM" || each.value.allow_public
      error_message = "An unauthenticated ${each.key} Function URL needs its allow_public_* acknowledgement."
    }
  }
}

resource "aws_lambda_permission" "function_url" {
  for_each = local.url_permissions

  statement_id           = each.value.statement_id
  action                 = each.value.action
  function_name          = aws_lambda_function.this[each.value.function].function_name
  principal              = each.value.principal
  function_url_auth_type = each.value.auth_type
}
