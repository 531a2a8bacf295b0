# Per-camera response queues (cameras.tf).
# Plan/apply against the mocked AWS provider, like the other tests.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  detector_image_digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
  recognizer_image_tag  = "recognizer-0.3.1"
  recognizer_gallery    = "/var/task/gallery/gallery.json"
  enroller_image_tag    = "enroller-0.1.0"
}

run "no_cameras_no_camera_queues" {
  command = apply

  assert {
    condition     = length(aws_sqs_queue.camera) == 0 && length(aws_iam_role_policy.recognizer_cameras) == 0
    error_message = "without camera_ids nothing per-camera is created"
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this["recognizer"].environment[0].variables), "FRS_CAMERA_QUEUE_PREFIX")
    error_message = "without camera_ids the recognizer gets no FRS_CAMERA_QUEUE_PREFIX"
  }
}

run "camera_queues_like_the_response_queue" {
  command = apply

  variables {
    camera_ids = ["cam1", "front-door_2"]
  }

  assert {
    condition     = toset([for q in aws_sqs_queue.camera : q.name]) == toset(["frs-camera-cam1", "frs-camera-front-door_2"])
    error_message = "each camera gets the queue <name_prefix>-camera-<id>"
  }

  assert {
    condition = alltrue([for id, q in aws_sqs_queue.camera :
      q.sqs_managed_sse_enabled && aws_sqs_queue.camera_dlq[id].sqs_managed_sse_enabled
    ])
    error_message = "every camera queue and DLQ must have server-side encryption on"
  }

  assert {
    condition = alltrue([for id, q in aws_sqs_queue.camera :
      jsondecode(q.redrive_policy).deadLetterTargetArn == aws_sqs_queue.camera_dlq[id].arn
      && jsondecode(q.redrive_policy).maxReceiveCount == jsondecode(aws_sqs_queue.response.redrive_policy).maxReceiveCount
    ])
    error_message = "each camera queue redrives to its own DLQ after as many receives as the response queue"
  }

  assert {
    condition = alltrue([for id, q in aws_sqs_queue.camera :
      q.visibility_timeout_seconds == aws_sqs_queue.response.visibility_timeout_seconds
      && q.message_retention_seconds == aws_sqs_queue.response.message_retention_seconds
    ])
    error_message = "camera queues keep the response queue's visibility and retention"
  }

  assert {
    condition = alltrue([for id, p in aws_sqs_queue_redrive_allow_policy.camera_dlq :
      jsondecode(p.redrive_allow_policy).sourceQueueArns == [aws_sqs_queue.camera[id].arn]
    ])
    error_message = "only its camera queue may dead-letter into a camera DLQ"
  }

  assert {
    condition     = data.aws_iam_policy_document.recognizer_cameras[0].statement[0].actions == toset(["sqs:SendMessage"])
    error_message = "the recognizer may only send to camera queues"
  }

  assert {
    condition     = data.aws_iam_policy_document.recognizer_cameras[0].statement[0].resources == toset(["arn:aws:sqs:eu-west-1:123456789012:frs-camera-*"])
    error_message = "the recognizer may send to the camera namespace (so a missing queue is QueueDoesNotExist, not AccessDenied)"
  }

  assert {
    condition     = aws_lambda_function.this["recognizer"].environment[0].variables["FRS_CAMERA_QUEUE_PREFIX"] == "https://sqs.eu-west-1.amazonaws.com/123456789012/frs-camera-"
    error_message = "the recognizer gets the camera queue URL prefix"
  }
}

run "camera_id_rejected_when_not_a_camera_id" {
  command = plan

  variables {
    camera_ids = ["front door"]
  }

  expect_failures = [var.camera_ids]
}

run "camera_id_rejected_when_the_dlq_name_passes_80_characters" {
  command = plan

  variables {
    camera_ids  = ["c${join("", [for i in range(63) : "x"])}"]
    name_prefix = "frs-long-prefix"
  }

  expect_failures = [var.camera_ids]
}
