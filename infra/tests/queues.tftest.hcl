# Plan/apply against a mocked AWS provider (tests/mocks/aws.tfmock.hcl): no credentials, no network.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  detector_image_digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
  recognizer_image_tag  = "recognizer-0.3.1"
  enroller_image_tag    = "enroller-0.1.0"
}

run "queues_have_dlqs_redrive_and_sse" {
  command = apply

  assert {
    condition     = jsondecode(aws_sqs_queue.request.redrive_policy).deadLetterTargetArn == aws_sqs_queue.request_dlq.arn
    error_message = "the request queue must redrive to its own DLQ"
  }

  assert {
    condition     = jsondecode(aws_sqs_queue.request.redrive_policy).maxReceiveCount == 5
    error_message = "the request queue must dead-letter after 5 receives by default (AWS guidance for Lambda sources)"
  }

  assert {
    condition     = jsondecode(aws_sqs_queue.response.redrive_policy).deadLetterTargetArn == aws_sqs_queue.response_dlq.arn
    error_message = "the response queue must redrive to its own DLQ"
  }

  assert {
    condition = alltrue([
      aws_sqs_queue.request.sqs_managed_sse_enabled,
      aws_sqs_queue.request_dlq.sqs_managed_sse_enabled,
      aws_sqs_queue.response.sqs_managed_sse_enabled,
      aws_sqs_queue.response_dlq.sqs_managed_sse_enabled,
    ])
    error_message = "every queue must have server-side encryption on"
  }

  assert {
    condition     = jsondecode(aws_sqs_queue_redrive_allow_policy.request_dlq[0].redrive_allow_policy).sourceQueueArns == [aws_sqs_queue.request.arn]
    error_message = "only the request queue may dead-letter into the request DLQ"
  }

  assert {
    condition     = jsondecode(aws_sqs_queue_redrive_allow_policy.response_dlq[0].redrive_allow_policy).sourceQueueArns == [aws_sqs_queue.response.arn]
    error_message = "only the response queue may dead-letter into the response DLQ"
  }
}

run "request_visibility_is_six_recognizer_timeouts_plus_window" {
  command = plan

  variables {
    recognizer_timeout                   = 45
    event_source_batching_window_seconds = 3
  }

  assert {
    condition     = aws_sqs_queue.request.visibility_timeout_seconds == 6 * 45 + 3
    error_message = "request queue visibility must be 6 x recognizer timeout + batching window"
  }
}

run "response_queue_is_tuned_for_many_pollers" {
  command = plan

  assert {
    condition     = aws_sqs_queue.response.visibility_timeout_seconds <= 10
    error_message = "the response queue needs a short visibility timeout so results received by other clients reappear quickly"
  }

  assert {
    condition     = aws_sqs_queue.response.receive_wait_time_seconds == 20
    error_message = "the response queue must long-poll (20 s) by default"
  }

  assert {
    condition     = jsondecode(aws_sqs_queue.response.redrive_policy).maxReceiveCount > jsondecode(aws_sqs_queue.request.redrive_policy).maxReceiveCount
    error_message = "shared polling receives a result several times, so its DLQ threshold must be higher than the request queue's"
  }
}

run "default_queue_names_derive_from_the_prefix" {
  command = plan

  variables {
    name_prefix = "acme"
  }

  assert {
    condition     = aws_sqs_queue.request.name == "acme-request" && aws_sqs_queue.response.name == "acme-response"
    error_message = "default queue names must be <prefix>-request and <prefix>-response"
  }

  assert {
    condition     = aws_sqs_queue.request_dlq.name == "acme-request-dlq" && aws_sqs_queue.response_dlq.name == "acme-response-dlq"
    error_message = "DLQs must be named after their source queue"
  }
}

run "queue_names_can_follow_the_id_convention" {
  command = plan

  variables {
    request_queue_name  = "cam42-req-queue"
    response_queue_name = "cam42-resp-queue"
  }

  assert {
    condition     = aws_sqs_queue.request.name == "cam42-req-queue" && aws_sqs_queue.response.name == "cam42-resp-queue"
    error_message = "explicit queue names must be used verbatim"
  }
}

run "longest_legal_settings_stay_within_the_sqs_visibility_limit" {
  command = plan

  variables {
    recognizer_timeout                   = 900
    event_source_batching_window_seconds = 300
    event_source_batch_size              = 10
  }

  assert {
    condition     = aws_sqs_queue.request.visibility_timeout_seconds == 5700 && aws_sqs_queue.request.visibility_timeout_seconds <= 43200
    error_message = "the longest legal recognizer timeout and window must give 5700 s, inside the 43200 s SQS limit"
  }
}

run "rejects_invalid_queue_names" {
  command = plan

  variables {
    request_queue_name = "bad name.fifo"
  }

  expect_failures = [var.request_queue_name]
}

run "response_queue_tolerates_a_fleet_of_pollers" {
  command = plan

  assert {
    condition     = jsondecode(aws_sqs_queue.response.redrive_policy).maxReceiveCount == 1000
    error_message = "Other clients' receives count towards the response queue's redrive: its default maxReceiveCount must be the SQS maximum."
  }
}

run "request_retention_outlasts_an_outage_and_the_dlq_outlasts_it" {
  command = plan

  assert {
    condition     = aws_sqs_queue.request.message_retention_seconds == 345600
    error_message = "requests must be kept 4 days by default so an outage dead-letters or backs up instead of dropping them after an hour"
  }

  assert {
    condition     = aws_sqs_queue.request.message_retention_seconds > jsondecode(aws_sqs_queue.request.redrive_policy).maxReceiveCount * aws_sqs_queue.request.visibility_timeout_seconds
    error_message = "a request failing on every receive must reach the DLQ before it expires"
  }

  assert {
    condition     = aws_sqs_queue.request_dlq.message_retention_seconds > aws_sqs_queue.request.message_retention_seconds
    error_message = "the DLQ counts retention from the original enqueue time, so it must keep messages longer than its source"
  }
}

run "refuses_a_retention_that_expires_before_the_dlq" {
  command = plan

  variables {
    request_message_retention_seconds = 1800
  }

  expect_failures = [aws_sqs_queue.request]
}

run "refuses_a_request_retention_not_below_the_dlq_retention" {
  command = plan

  variables {
    request_message_retention_seconds = 1209600
  }

  expect_failures = [var.request_message_retention_seconds]
}
