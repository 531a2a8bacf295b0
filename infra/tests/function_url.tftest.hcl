# Plan/apply against a mocked AWS provider (tests/mocks/aws.tfmock.hcl): no credentials, no network.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  detector_image_digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
  recognizer_image_tag  = "recognizer-0.3.1"
  recognizer_gallery    = "/var/task/gallery/gallery.json"
}

run "function_url_defaults_to_iam_auth" {
  command = apply

  assert {
    condition     = aws_lambda_function_url.detector[0].authorization_type == "AWS_IAM"
    error_message = "the Function URL must require IAM auth unless told otherwise"
  }

  assert {
    condition     = length(aws_lambda_permission.function_url_public) == 0
    error_message = "no public invoke permission may exist with AWS_IAM"
  }

  assert {
    condition     = output.function_url == "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/"
    error_message = "the Function URL must be an output"
  }
}

run "public_url_is_refused_without_the_acknowledgement" {
  command = plan

  variables {
    function_url_authorization_type = "NONE"
  }

  expect_failures = [var.function_url_authorization_type]
}

run "public_url_is_allowed_when_acknowledged" {
  command = apply

  variables {
    function_url_authorization_type = "NONE"
    allow_public_function_url       = true
  }

  assert {
    condition     = aws_lambda_function_url.detector[0].authorization_type == "NONE"
    error_message = "an acknowledged NONE must be applied"
  }

  assert {
    condition     = aws_lambda_permission.function_url_public[0].principal == "*" && aws_lambda_permission.function_url_public[0].function_url_auth_type == "NONE"
    error_message = "a NONE URL needs the public InvokeFunctionUrl permission"
  }
}

run "iam_invokers_get_scoped_permissions" {
  command = apply

  variables {
    function_url_invoker_arns = ["arn:aws:iam::210987654321:role/camera-uploader"]
  }

  assert {
    condition     = length(aws_lambda_permission.function_url_invokers) == 1
    error_message = "each invoker needs one permission"
  }

  assert {
    condition = alltrue([for p in aws_lambda_permission.function_url_invokers : p.principal == "arn:aws:iam::210987654321:role/camera-uploader"
    && p.action == "lambda:InvokeFunctionUrl" && p.function_url_auth_type == "AWS_IAM"])
    error_message = "invoker permissions must be limited to InvokeFunctionUrl with IAM auth"
  }
}

run "rejects_a_malformed_invoker" {
  command = plan

  variables {
    function_url_invoker_arns = ["*"]
  }

  expect_failures = [var.function_url_invoker_arns]
}

run "cors_is_off_by_default" {
  command = plan

  assert {
    condition     = length(aws_lambda_function_url.detector[0].cors) == 0
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
  }

  assert {
    condition     = aws_lambda_function_url.detector[0].cors[0].allow_origins == toset(["https://cams.example.com"])
    error_message = "CORS origins must be applied"
  }

  assert {
    condition     = aws_lambda_function_url.detector[0].cors[0].allow_methods == toset(["POST"]) && aws_lambda_function_url.detector[0].cors[0].max_age == 600
    error_message = "CORS must default to POST and carry max_age"
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
