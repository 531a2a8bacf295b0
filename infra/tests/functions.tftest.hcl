# Plan/apply against a mocked AWS provider (tests/mocks/aws.tfmock.hcl): no credentials, no network.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  detector_image_digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
  recognizer_image_tag  = "recognizer-0.3.1"
  recognizer_gallery    = "/var/task/gallery/gallery.json"
}

run "functions_run_one_image_with_separate_commands" {
  command = apply

  assert {
    condition     = aws_lambda_function.detector[0].package_type == "Image" && aws_lambda_function.recognizer[0].package_type == "Image"
    error_message = "both functions must be container images"
  }

  assert {
    condition     = aws_lambda_function.detector[0].image_config[0].command == tolist(["detector/dist/handler.handler"])
    error_message = "the detector must run detector/dist/handler.handler"
  }

  assert {
    condition     = aws_lambda_function.recognizer[0].image_config[0].command == tolist(["recognizer/dist/handler.handler"])
    error_message = "the recognizer must run recognizer/dist/handler.handler"
  }
}

run "images_are_versioned_separately_by_digest_or_tag" {
  command = apply

  assert {
    condition     = aws_lambda_function.detector[0].image_uri == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/frs@sha256:1111111111111111111111111111111111111111111111111111111111111111"
    error_message = "the detector must be pinned by its digest"
  }

  assert {
    condition     = aws_lambda_function.recognizer[0].image_uri == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/frs:recognizer-0.3.1"
    error_message = "the recognizer must use its own tag"
  }
}

run "a_digest_wins_over_a_tag" {
  command = apply

  variables {
    recognizer_image_digest = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
  }

  assert {
    condition     = endswith(aws_lambda_function.recognizer[0].image_uri, "@sha256:2222222222222222222222222222222222222222222222222222222222222222")
    error_message = "a digest must take precedence over a tag"
  }
}

run "functions_log_json_to_retained_groups" {
  command = apply

  variables {
    log_retention_days = 14
  }

  assert {
    condition     = aws_lambda_function.detector[0].logging_config[0].log_format == "JSON" && aws_lambda_function.recognizer[0].logging_config[0].log_format == "JSON"
    error_message = "both functions must log JSON"
  }

  assert {
    condition     = aws_lambda_function.detector[0].logging_config[0].log_group == aws_cloudwatch_log_group.detector.name
    error_message = "the detector must log to its managed group"
  }

  assert {
    condition     = aws_cloudwatch_log_group.detector.retention_in_days == 14 && aws_cloudwatch_log_group.recognizer.retention_in_days == 14
    error_message = "log groups must carry the configured retention"
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
  }

  assert {
    condition     = aws_lambda_function.detector[0].architectures == tolist(["arm64"]) && aws_lambda_function.recognizer[0].architectures == tolist(["arm64"])
    error_message = "architecture must reach both functions"
  }

  assert {
    condition     = aws_lambda_function.detector[0].memory_size == 3008 && aws_lambda_function.detector[0].timeout == 20 && aws_lambda_function.detector[0].reserved_concurrent_executions == 50
    error_message = "detector sizing must be applied"
  }

  assert {
    condition     = aws_lambda_function.recognizer[0].memory_size == 1536 && aws_lambda_function.recognizer[0].timeout == 90 && aws_lambda_function.recognizer[0].reserved_concurrent_executions == 20
    error_message = "recognizer sizing must be applied"
  }
}

run "environment_carries_queue_urls_and_omits_unset_settings" {
  command = apply

  variables {
    detector_max_faces = 8
  }

  assert {
    condition     = aws_lambda_function.detector[0].environment[0].variables["FRS_REQUEST_QUEUE_URL"] == aws_sqs_queue.request.url
    error_message = "the detector must know the request queue URL"
  }

  assert {
    condition     = aws_lambda_function.detector[0].environment[0].variables["FRS_MAX_FACES"] == "8"
    error_message = "set detector limits must reach FRS_MAX_FACES"
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.detector[0].environment[0].variables), "FRS_MAX_PIXELS")
    error_message = "unset limits must be left to the application default"
  }

  assert {
    condition     = aws_lambda_function.recognizer[0].environment[0].variables["FRS_RESPONSE_QUEUE_URL"] == aws_sqs_queue.response.url
    error_message = "the recognizer must know the response queue URL"
  }

  assert {
    condition     = aws_lambda_function.recognizer[0].environment[0].variables["FRS_GALLERY"] == "/var/task/gallery/gallery.json"
    error_message = "the recognizer must know its gallery"
  }

  assert {
    condition     = aws_lambda_function.recognizer[0].environment[0].variables["LOG_LEVEL"] == "info"
    error_message = "LOG_LEVEL must be set"
  }
}

run "bootstrap_apply_creates_no_functions" {
  command = apply

  variables {
    deploy_functions      = false
    detector_image_digest = null
    recognizer_image_tag  = null
  }

  assert {
    condition     = length(aws_lambda_function.detector) == 0 && length(aws_lambda_function.recognizer) == 0 && length(aws_lambda_event_source_mapping.requests) == 0
    error_message = "deploy_functions = false must create only the repository, queues, roles and log groups"
  }

  assert {
    condition     = output.function_url == null && output.repository_url == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/frs"
    error_message = "the bootstrap apply must output the repository URL and no Function URL"
  }
}

run "refuses_to_deploy_without_an_image" {
  command = plan

  variables {
    detector_image_digest = null
  }

  expect_failures = [aws_lambda_function.detector]
}

run "refuses_a_recognizer_without_a_gallery" {
  command = plan

  variables {
    recognizer_gallery = null
  }

  expect_failures = [aws_lambda_function.recognizer]
}

run "refuses_reserved_concurrency_below_the_event_source_maximum" {
  command = plan

  variables {
    recognizer_reserved_concurrency  = 5
    event_source_maximum_concurrency = 10
  }

  expect_failures = [aws_lambda_function.recognizer]
}

run "rejects_a_malformed_digest" {
  command = plan

  variables {
    detector_image_digest = "sha256:XYZ"
  }

  expect_failures = [var.detector_image_digest]
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
