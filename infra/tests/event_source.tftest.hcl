# Plan/apply against a mocked AWS provider (tests/mocks/aws.tfmock.hcl): no credentials, no network.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  detector_image_digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
  recognizer_image_tag  = "recognizer-0.3.1"
  enroller_image_tag    = "enroller-0.1.0"
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
    condition     = aws_lambda_event_source_mapping.requests[0].function_name == aws_lambda_function.this["recognizer"].arn
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
