# Plan/apply against a mocked AWS provider: no credentials, no network. Fixed ARNs and URLs replace the
# random strings a mock would produce so assertions can name exact resources.
mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }

  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }

  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }

  # Policy documents are rendered by the real provider in the moto test; here they only need to be
  # valid JSON, and assertions read their statement blocks instead.
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

override_resource {
  target = aws_sqs_queue.request
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:frs-request"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/frs-request"
  }
}

override_resource {
  target = aws_sqs_queue.request_dlq
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:frs-request-dlq"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/frs-request-dlq"
  }
}

override_resource {
  target = aws_sqs_queue.response
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:frs-response"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/frs-response"
  }
}

override_resource {
  target = aws_sqs_queue.response_dlq
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:frs-response-dlq"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/frs-response-dlq"
  }
}

override_resource {
  target = aws_ecr_repository.this
  values = {
    arn            = "arn:aws:ecr:eu-west-1:123456789012:repository/frs"
    repository_url = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/frs"
  }
}

override_resource {
  target = aws_cloudwatch_log_group.detector
  values = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/frs-detector" }
}

override_resource {
  target = aws_cloudwatch_log_group.recognizer
  values = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/frs-recognizer" }
}

override_resource {
  target = aws_iam_role.detector
  values = { arn = "arn:aws:iam::123456789012:role/frs-detector" }
}

override_resource {
  target = aws_iam_role.recognizer
  values = { arn = "arn:aws:iam::123456789012:role/frs-recognizer" }
}

override_resource {
  target = aws_lambda_function.recognizer
  values = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:frs-recognizer" }
}

override_resource {
  target = aws_lambda_function_url.detector
  values = { function_url = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/" }
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
