resource "aws_lambda_function_url" "detector" {
  count = var.deploy_functions ? 1 : 0

  function_name      = aws_lambda_function.detector[0].function_name
  authorization_type = var.function_url_authorization_type

  dynamic "cors" {
    for_each = var.function_url_cors == null ? [] : [var.function_url_cors]

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
    # Repeats the variable validation so no refactor can ever publish the URL by accident.
    precondition {
      condition     = var.function_url_authorization_type == "AWS_IAM" || var.allow_public_function_url
      error_message = "An unauthenticated Function URL needs allow_public_function_url = true."
    }
  }
}

# A NONE URL still needs a resource policy that lets anyone invoke it; AWS_IAM URLs get one statement per
# listed invoker instead.
resource "aws_lambda_permission" "function_url_public" {
  count = var.deploy_functions && var.function_url_authorization_type == "NONE" ? 1 : 0

  statement_id           = "FunctionUrlPublicAccess"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.detector[0].function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}

resource "aws_lambda_permission" "function_url_invokers" {
  for_each = var.deploy_functions && var.function_url_authorization_type == "AWS_IAM" ? toset(var.function_url_invoker_arns) : toset([])

  statement_id           = "FunctionUrlInvoke${substr(sha256(each.value), 0, 16)}"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.detector[0].function_name
  principal              = each.value
  function_url_auth_type = "AWS_IAM"
}
