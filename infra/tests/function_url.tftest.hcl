# Plan/apply against a mocked AWS provider (tests/mocks/aws.tfmock.hcl): no credentials, no network.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  detector_image_digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
  recognizer_image_tag  = "recognizer-0.3.1"
  enroller_image_tag    = "enroller-0.1.0"
}

run "function_urls_default_to_iam_auth" {
  command = apply

  assert {
    condition     = keys(aws_lambda_function_url.this) == ["detector", "enroller"]
    error_message = "the detector and the enroller get a URL, the recognizer none"
  }

  assert {
    condition     = alltrue([for u in aws_lambda_function_url.this : u.authorization_type == "AWS_IAM"])
    error_message = "both Function URLs must require IAM auth unless told otherwise"
  }

  assert {
    condition     = aws_lambda_function_url.this["enroller"].function_name == aws_lambda_function.this["enroller"].function_name
    error_message = "the enroller URL must front the enroller"
  }

  assert {
    condition     = length(aws_lambda_permission.function_url) == 0
    error_message = "without named invokers no resource-policy statement may exist (same-account callers use their own policies)"
  }

  assert {
    condition     = output.function_url == "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/"
    error_message = "the detector URL must be an output"
  }

  assert {
    condition     = output.enroller_url == "https://enrollerenrollerenrollerenroll.lambda-url.eu-west-1.on.aws/"
    error_message = "the enroller URL must be an output"
  }
}

run "public_url_is_refused_without_the_acknowledgement" {
  command = plan

  variables {
    function_url_authorization_type = "NONE"
  }

  expect_failures = [var.function_url_authorization_type]
}

run "public_enroller_url_is_refused_without_its_own_acknowledgement" {
  command = plan

  variables {
    enroller_function_url_authorization_type = "NONE"
    allow_public_function_url                = true
  }

  expect_failures = [var.enroller_function_url_authorization_type]
}

run "public_url_gets_both_invoke_actions" {
  command = apply

  variables {
    function_url_authorization_type = "NONE"
    allow_public_function_url       = true
  }

  assert {
    condition     = aws_lambda_function_url.this["detector"].authorization_type == "NONE" && aws_lambda_function_url.this["enroller"].authorization_type == "AWS_IAM"
    error_message = "an acknowledged NONE applies to the detector only"
  }

  assert {
    condition     = keys(aws_lambda_permission.function_url) == ["detector/InvokeFunction/*", "detector/InvokeFunctionUrl/*"]
    error_message = "a NONE URL needs exactly two public statements, and the enroller none"
  }

  assert {
    condition = (aws_lambda_permission.function_url["detector/InvokeFunctionUrl/*"].action == "lambda:InvokeFunctionUrl"
      && aws_lambda_permission.function_url["detector/InvokeFunctionUrl/*"].principal == "*"
    && aws_lambda_permission.function_url["detector/InvokeFunctionUrl/*"].function_url_auth_type == "NONE")
    error_message = "the public InvokeFunctionUrl statement must be limited to NONE-auth URL calls"
  }

  assert {
    condition = (aws_lambda_permission.function_url["detector/InvokeFunction/*"].action == "lambda:InvokeFunction"
      && aws_lambda_permission.function_url["detector/InvokeFunction/*"].principal == "*"
    && aws_lambda_permission.function_url["detector/InvokeFunction/*"].function_url_auth_type == null)
    error_message = "the public InvokeFunction statement must exist without an auth type (AddPermission refuses one)"
  }

  assert {
    condition     = alltrue([for p in aws_lambda_permission.function_url : p.function_name == "frs-detector"])
    error_message = "public statements may only be on the detector"
  }
}

run "iam_invokers_get_both_actions_on_each_url" {
  command = apply

  variables {
    function_url_invoker_arns          = ["arn:aws:iam::210987654321:role/camera-uploader", "210987654321"]
    enroller_function_url_invoker_arns = ["arn:aws:iam::123456789012:role/frs-operator"]
  }

  assert {
    condition = keys(aws_lambda_permission.function_url) == [
      "detector/InvokeFunction/210987654321",
      "detector/InvokeFunction/arn:aws:iam::210987654321:role/camera-uploader",
      "detector/InvokeFunctionUrl/210987654321",
      "detector/InvokeFunctionUrl/arn:aws:iam::210987654321:role/camera-uploader",
      "enroller/InvokeFunction/arn:aws:iam::123456789012:role/frs-operator",
      "enroller/InvokeFunctionUrl/arn:aws:iam::123456789012:role/frs-operator",
    ]
    error_message = "each invoker needs InvokeFunctionUrl and InvokeFunction on its own URL's function"
  }

  assert {
    condition = alltrue([for k, p in aws_lambda_permission.function_url : p.function_url_auth_type == "AWS_IAM" && p.action == "lambda:InvokeFunctionUrl"
    if strcontains(k, "/InvokeFunctionUrl/")])
    error_message = "InvokeFunctionUrl statements must be limited to IAM-authenticated URL calls"
  }

  assert {
    condition = alltrue([for k, p in aws_lambda_permission.function_url : p.function_url_auth_type == null && p.action == "lambda:InvokeFunction"
    if strcontains(k, "/InvokeFunction/")])
    error_message = "InvokeFunction statements carry no auth type"
  }

  assert {
    condition     = alltrue([for p in aws_lambda_permission.function_url : p.principal != "*"])
    error_message = "AWS_IAM URLs grant only to the named principals"
  }

  assert {
    condition = (aws_lambda_permission.function_url["enroller/InvokeFunction/arn:aws:iam::123456789012:role/frs-operator"].function_name == "frs-enroller"
    && aws_lambda_permission.function_url["detector/InvokeFunction/210987654321"].function_name == "frs-detector")
    error_message = "statements must land on the function whose URL the principal may call"
  }

  assert {
    condition     = length(distinct([for p in aws_lambda_permission.function_url : "${p.function_name}/${p.statement_id}"])) == 6
    error_message = "statement ids must be unique per function"
  }
}

run "rejects_a_malformed_invoker" {
  command = plan

  variables {
    function_url_invoker_arns = ["*"]
  }

  expect_failures = [var.function_url_invoker_arns]
}

run "rejects_a_malformed_enroller_invoker" {
  command = plan

  variables {
    enroller_function_url_invoker_arns = ["arn:aws:iam::123:role/x"]
  }

  expect_failures = [var.enroller_function_url_invoker_arns]
}

run "cors_is_off_by_default" {
  command = plan

  assert {
    condition     = alltrue([for u in aws_lambda_function_url.this : length(u.cors) == 0])
    error_message = "CORS must be opt-in"
  }
}

run "cors_is_configurable" {
  command = plan

  variables {
    function_url_cors = {
      allow_origins = ["https://cams.example.com"]
      max_age       = 600
    }
    enroller_function_url_cors = {
      allow_origins = ["https://console.example.com"]
    }
  }

  assert {
    condition     = aws_lambda_function_url.this["detector"].cors[0].allow_origins == toset(["https://cams.example.com"])
    error_message = "CORS origins must be applied"
  }

  assert {
    condition     = aws_lambda_function_url.this["detector"].cors[0].allow_methods == toset(["POST"]) && aws_lambda_function_url.this["detector"].cors[0].max_age == 600
    error_message = "detector CORS must default to POST and carry max_age"
  }

  assert {
    condition     = aws_lambda_function_url.this["enroller"].cors[0].allow_methods == toset(["GET", "POST", "DELETE"]) && aws_lambda_function_url.this["enroller"].cors[0].allow_origins == toset(["https://console.example.com"])
    error_message = "enroller CORS must default to the methods of its routes"
  }
}

run "cors_refuses_credentials_for_any_origin" {
  command = plan

  variables {
    function_url_cors = {
      allow_origins     = ["*"]
      allow_credentials = true
    }
  }

  expect_failures = [var.function_url_cors]
}
