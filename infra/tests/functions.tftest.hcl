# Plan/apply against a mocked AWS provider (tests/mocks/aws.tfmock.hcl): no credentials, no network.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  detector_image_digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
  recognizer_image_tag  = "recognizer-0.3.1"
  enroller_image_tag    = "enroller-0.1.0"
}

run "functions_run_one_image_with_separate_commands" {
  command = apply

  assert {
    condition     = keys(aws_lambda_function.this) == ["detector", "enroller", "recognizer"]
    error_message = "the module must create exactly the three functions"
  }

  assert {
    condition     = alltrue([for f in aws_lambda_function.this : f.package_type == "Image"])
    error_message = "every function must be a container image"
  }

  assert {
    condition     = aws_lambda_function.this["detector"].image_config[0].command == tolist(["detector/dist/handler.handler"])
    error_message = "the detector must run detector/dist/handler.handler"
  }

  assert {
    condition     = aws_lambda_function.this["recognizer"].image_config[0].command == tolist(["recognizer/dist/handler.handler"])
    error_message = "the recognizer must run recognizer/dist/handler.handler"
  }

  assert {
    condition     = aws_lambda_function.this["enroller"].image_config[0].command == tolist(["enroller/dist/handler.handler"])
    error_message = "the enroller must run enroller/dist/handler.handler (the enroller package's dist/handler.js in the image)"
  }

  assert {
    condition     = { for k, f in aws_lambda_function.this : k => f.function_name } == { detector = "frs-detector", enroller = "frs-enroller", recognizer = "frs-recognizer" }
    error_message = "functions are named <prefix>-<function>"
  }

  assert {
    condition     = { for k, f in aws_lambda_function.this : k => f.role } == { for k, r in aws_iam_role.this : k => r.arn }
    error_message = "each function must run with its own role"
  }
}

run "images_are_versioned_separately_by_digest_or_tag" {
  command = apply

  assert {
    condition     = aws_lambda_function.this["detector"].image_uri == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/frs@sha256:1111111111111111111111111111111111111111111111111111111111111111"
    error_message = "the detector must be pinned by its digest"
  }

  assert {
    condition     = aws_lambda_function.this["recognizer"].image_uri == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/frs:recognizer-0.3.1"
    error_message = "the recognizer must use its own tag"
  }

  assert {
    condition     = aws_lambda_function.this["enroller"].image_uri == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/frs:enroller-0.1.0"
    error_message = "the enroller must use its own tag"
  }
}

run "a_digest_wins_over_a_tag" {
  command = apply

  variables {
    recognizer_image_digest = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
    enroller_image_digest   = "sha256:3333333333333333333333333333333333333333333333333333333333333333"
  }

  assert {
    condition     = endswith(aws_lambda_function.this["recognizer"].image_uri, "@sha256:2222222222222222222222222222222222222222222222222222222222222222")
    error_message = "a digest must take precedence over a tag"
  }

  assert {
    condition     = endswith(aws_lambda_function.this["enroller"].image_uri, "@sha256:3333333333333333333333333333333333333333333333333333333333333333")
    error_message = "the enroller's digest must take precedence over its tag"
  }
}

run "functions_log_json_to_retained_groups" {
  command = apply

  variables {
    log_retention_days = 14
  }

  assert {
    condition     = alltrue([for f in aws_lambda_function.this : f.logging_config[0].log_format == "JSON"])
    error_message = "every function must log JSON"
  }

  assert {
    condition     = alltrue([for k, f in aws_lambda_function.this : f.logging_config[0].log_group == aws_cloudwatch_log_group.this[k].name])
    error_message = "each function must log to its own managed group"
  }

  assert {
    condition     = aws_cloudwatch_log_group.this["enroller"].name == "/aws/lambda/frs-enroller"
    error_message = "the enroller's group must be the one Lambda would use"
  }

  assert {
    condition     = alltrue([for g in aws_cloudwatch_log_group.this : g.retention_in_days == 14])
    error_message = "log groups must carry the configured retention"
  }
}

run "sizing_defaults_follow_the_measurements" {
  command = plan

  assert {
    condition     = alltrue([for f in aws_lambda_function.this : f.memory_size == 1769])
    error_message = "every function defaults to 1,769 MB, one full vCPU"
  }

  assert {
    condition     = aws_lambda_function.this["detector"].reserved_concurrent_executions == 10
    error_message = "the detector is capped at 10 concurrent executions by default"
  }

  assert {
    condition     = aws_lambda_function.this["enroller"].reserved_concurrent_executions == 2
    error_message = "the enroller is capped at 2 concurrent executions by default"
  }

  assert {
    condition     = aws_lambda_function.this["recognizer"].reserved_concurrent_executions == -1 && aws_lambda_event_source_mapping.requests[0].scaling_config[0].maximum_concurrency == 10
    error_message = "the recognizer is bounded by the event source mapping (10), not by a reservation"
  }
}

run "sizing_variables_reach_the_functions" {
  command = plan

  variables {
    architecture                     = "arm64"
    detector_memory_size             = 3008
    detector_timeout                 = 20
    detector_reserved_concurrency    = 50
    recognizer_memory_size           = 1536
    recognizer_timeout               = 90
    recognizer_reserved_concurrency  = 20
    event_source_maximum_concurrency = 20
    enroller_memory_size             = 2048
    enroller_timeout                 = 45
    enroller_reserved_concurrency    = -1
  }

  assert {
    condition     = alltrue([for f in aws_lambda_function.this : f.architectures == tolist(["arm64"])])
    error_message = "architecture must reach every function"
  }

  assert {
    condition     = aws_lambda_function.this["detector"].memory_size == 3008 && aws_lambda_function.this["detector"].timeout == 20 && aws_lambda_function.this["detector"].reserved_concurrent_executions == 50
    error_message = "detector sizing must be applied"
  }

  assert {
    condition     = aws_lambda_function.this["recognizer"].memory_size == 1536 && aws_lambda_function.this["recognizer"].timeout == 90 && aws_lambda_function.this["recognizer"].reserved_concurrent_executions == 20
    error_message = "recognizer sizing must be applied"
  }

  assert {
    condition     = aws_lambda_function.this["enroller"].memory_size == 2048 && aws_lambda_function.this["enroller"].timeout == 45 && aws_lambda_function.this["enroller"].reserved_concurrent_executions == -1
    error_message = "enroller sizing must be applied"
  }
}

run "environment_carries_queue_urls_and_omits_unset_settings" {
  command = apply

  variables {
    detector_max_faces = 8
  }

  assert {
    condition     = aws_lambda_function.this["detector"].environment[0].variables["FRS_REQUEST_QUEUE_URL"] == aws_sqs_queue.request.url
    error_message = "the detector must know the request queue URL"
  }

  assert {
    condition     = aws_lambda_function.this["detector"].environment[0].variables["FRS_MAX_FACES"] == "8"
    error_message = "set detector limits must reach FRS_MAX_FACES"
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this["detector"].environment[0].variables), "FRS_MAX_PIXELS")
    error_message = "unset limits must be left to the application default"
  }

  assert {
    condition     = aws_lambda_function.this["recognizer"].environment[0].variables["FRS_RESPONSE_QUEUE_URL"] == aws_sqs_queue.response.url
    error_message = "the recognizer must know the response queue URL"
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this["recognizer"].environment[0].variables), "FRS_GALLERY_REFRESH_SECONDS")
    error_message = "an unset refresh interval must be left to the application default (10 s)"
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this["recognizer"].environment[0].variables), "FRS_RESULT_CANDIDATES")
    error_message = "results must carry no candidates unless asked for"
  }

  assert {
    condition     = alltrue([for f in aws_lambda_function.this : f.environment[0].variables["LOG_LEVEL"] == "info"])
    error_message = "LOG_LEVEL must be set on every function"
  }
}

run "recognizer_reads_the_managed_gallery_by_default" {
  command = apply

  assert {
    condition     = aws_lambda_function.this["recognizer"].environment[0].variables["FRS_GALLERY"] == "s3://frs-gallery-123456789012-eu-west-1/gallery/snapshot.json"
    error_message = "without recognizer_gallery the recognizer must read the managed snapshot"
  }

  assert {
    condition     = output.recognizer_gallery == "s3://frs-gallery-123456789012-eu-west-1/gallery/snapshot.json"
    error_message = "the effective gallery must be an output"
  }
}

run "recognizer_gallery_refresh_and_candidates_can_be_set" {
  command = apply

  variables {
    recognizer_gallery                 = "/var/task/gallery/gallery.json"
    recognizer_gallery_refresh_seconds = 30
    recognizer_result_candidates       = 3
  }

  assert {
    condition     = aws_lambda_function.this["recognizer"].environment[0].variables["FRS_GALLERY"] == "/var/task/gallery/gallery.json"
    error_message = "an explicit gallery must win"
  }

  assert {
    condition     = aws_lambda_function.this["recognizer"].environment[0].variables["FRS_GALLERY_REFRESH_SECONDS"] == "30"
    error_message = "the refresh interval must reach FRS_GALLERY_REFRESH_SECONDS"
  }

  assert {
    condition     = aws_lambda_function.this["recognizer"].environment[0].variables["FRS_RESULT_CANDIDATES"] == "3"
    error_message = "the candidate count must reach FRS_RESULT_CANDIDATES"
  }
}

run "enroller_environment_names_the_store_and_its_limits" {
  command = apply

  variables {
    enroller_max_body_bytes = 6291456
    enroller_min_face_size  = 40
    models_dir              = "/var/task/models"
  }

  assert {
    condition = aws_lambda_function.this["enroller"].environment[0].variables == tomap({
      LOG_LEVEL          = "info"
      FRS_MODELS_DIR     = "/var/task/models"
      FRS_GALLERY_STORE  = "s3://frs-gallery-123456789012-eu-west-1/gallery/"
      FRS_MAX_BODY_BYTES = "6291456"
      FRS_MIN_FACE_SIZE  = "40"
    })
    error_message = "the enroller gets the store prefix (ending in /) and exactly its own settings"
  }
}

run "bootstrap_apply_creates_no_functions" {
  command = apply

  variables {
    deploy_functions      = false
    detector_image_digest = null
    recognizer_image_tag  = null
    enroller_image_tag    = null
  }

  assert {
    condition     = length(aws_lambda_function.this) == 0 && length(aws_lambda_event_source_mapping.requests) == 0 && length(aws_lambda_function_url.this) == 0 && length(aws_lambda_permission.function_url) == 0
    error_message = "deploy_functions = false must create only the repository, queues, bucket, roles and log groups"
  }

  assert {
    condition     = output.function_url == null && output.enroller_url == null && output.repository_url == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/frs"
    error_message = "the bootstrap apply must output the repository URL and no Function URL"
  }

  assert {
    condition     = length(aws_iam_role.this) == 3 && output.gallery_bucket == "frs-gallery-123456789012-eu-west-1"
    error_message = "roles and the gallery bucket exist before any image"
  }
}

run "refuses_to_deploy_without_an_image" {
  command = plan

  variables {
    detector_image_digest = null
  }

  expect_failures = [aws_lambda_function.this]
}

run "refuses_to_deploy_without_an_enroller_image" {
  command = plan

  variables {
    enroller_image_tag = null
  }

  expect_failures = [aws_lambda_function.this]
}

run "refuses_reserved_concurrency_below_the_event_source_maximum" {
  command = plan

  variables {
    recognizer_reserved_concurrency  = 5
    event_source_maximum_concurrency = 10
  }

  expect_failures = [aws_lambda_function.this]
}

run "rejects_a_malformed_digest" {
  command = plan

  variables {
    enroller_image_digest = "sha256:XYZ"
  }

  expect_failures = [var.enroller_image_digest]
}

run "rejects_an_unknown_architecture" {
  command = plan

  variables {
    architecture = "riscv64"
  }

  expect_failures = [var.architecture]
}

run "rejects_a_gallery_over_plain_http" {
  command = plan

  variables {
    recognizer_gallery = "http://example.com/gallery.json"
  }

  expect_failures = [var.recognizer_gallery]
}

run "rejects_a_presigned_gallery_url" {
  command = plan

  variables {
    recognizer_gallery = "https://b.s3.eu-west-1.amazonaws.com/g.json?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F&X-Amz-Signature=abc"
  }

  expect_failures = [var.recognizer_gallery]
}

run "rejects_a_refresh_interval_of_zero" {
  command = plan

  variables {
    recognizer_gallery_refresh_seconds = 0
  }

  expect_failures = [var.recognizer_gallery_refresh_seconds]
}

run "rejects_a_negative_enroller_concurrency" {
  command = plan

  variables {
    enroller_reserved_concurrency = -2
  }

  expect_failures = [var.enroller_reserved_concurrency]
}
