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

run "event_source_mapping_drives_the_recognizer_from_the_request_queue" {
  command = apply

  variables {
    event_source_batch_size              = 8
    event_source_batching_window_seconds = 2
    event_source_maximum_concurrency     = 25
  }

  assert {
    condition     = aws_lambda_event_source_mapping.requests[0].event_source_arn == aws_sqs_queue.request.arn
    error_message = "the mapping must read the request queue"
  }

  assert {
    condition     = aws_lambda_event_source_mapping.requests[0].function_name == aws_lambda_function.recognizer[0].arn
    error_message = "the mapping must invoke the recognizer"
  }

  assert {
    condition     = aws_lambda_event_source_mapping.requests[0].batch_size == 8 && aws_lambda_event_source_mapping.requests[0].maximum_batching_window_in_seconds == 2
    error_message = "batch size and window must be applied"
  }

  assert {
    condition     = aws_lambda_event_source_mapping.requests[0].function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "the recognizer reports partial batch failures"
  }

  assert {
    condition     = aws_lambda_event_source_mapping.requests[0].scaling_config[0].maximum_concurrency == 25
    error_message = "maximum concurrency must be applied"
  }
}

run "large_batches_need_a_batching_window" {
  command = plan

  variables {
    event_source_batch_size = 100
  }

  expect_failures = [var.event_source_batch_size]
}

run "large_batches_plan_with_a_window" {
  command = plan

  variables {
    event_source_batch_size              = 100
    event_source_batching_window_seconds = 5
  }

  assert {
    condition     = aws_lambda_event_source_mapping.requests[0].batch_size == 100
    error_message = "a large batch with a window must be accepted"
  }
}

run "maximum_concurrency_below_two_is_rejected" {
  command = plan

  variables {
    event_source_maximum_concurrency = 1
  }

  expect_failures = [var.event_source_maximum_concurrency]
}
