locals {
  repository_url = aws_ecr_repository.this.repository_url

  detector_image_uri = (var.detector_image_digest != null
    ? "${local.repository_url}@${var.detector_image_digest}"
  : (var.detector_image_tag != null ? "${local.repository_url}:${var.detector_image_tag}" : null))

  recognizer_image_uri = (var.recognizer_image_digest != null
    ? "${local.repository_url}@${var.recognizer_image_digest}"
  : (var.recognizer_image_tag != null ? "${local.repository_url}:${var.recognizer_image_tag}" : null))

  # Null settings are left out so the application's own defaults apply.
  common_environment = {
    LOG_LEVEL      = var.log_level
    FRS_MODELS_DIR = var.models_dir
  }

  detector_environment = {
    for k, v in merge(local.common_environment, {
      FRS_REQUEST_QUEUE_URL = aws_sqs_queue.request.url
      FRS_MAX_BODY_BYTES    = var.detector_max_body_bytes
      FRS_MAX_PIXELS        = var.detector_max_pixels
      FRS_MIN_FACE_SIZE     = var.detector_min_face_size
      FRS_MAX_FACES         = var.detector_max_faces
    }) : k => tostring(v) if v != null
  }

  recognizer_environment = {
    for k, v in merge(local.common_environment, {
      FRS_RESPONSE_QUEUE_URL = aws_sqs_queue.response.url
      FRS_GALLERY            = var.recognizer_gallery
      FRS_MATCH_THRESHOLD    = var.recognizer_match_threshold
    }) : k => tostring(v) if v != null
  }
}

resource "aws_cloudwatch_log_group" "detector" {
  name              = "/aws/lambda/${local.detector_name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_cloudwatch_log_group" "recognizer" {
  name              = "/aws/lambda/${local.recognizer_name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_lambda_function" "detector" {
  count = var.deploy_functions ? 1 : 0

  function_name                  = local.detector_name
  description                    = "FRS detector: Function URL -> MTCNN -> request queue"
  role                           = aws_iam_role.detector.arn
  package_type                   = "Image"
  image_uri                      = local.detector_image_uri
  architectures                  = [var.architecture]
  memory_size                    = var.detector_memory_size
  timeout                        = var.detector_timeout
  reserved_concurrent_executions = var.detector_reserved_concurrency

  # The image holds both functions; the command picks the handler module relative to LAMBDA_TASK_ROOT.
  image_config {
    command = ["detector/dist/handler.handler"]
  }

  environment {
    variables = local.detector_environment
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.detector.name
  }

  tags = var.tags

  # The role's policy must exist before the first cold start tries to log or send.
  depends_on = [aws_iam_role_policy.detector, aws_ecr_repository_policy.this]

  lifecycle {
    precondition {
      condition     = local.detector_image_uri != null
      error_message = "Set detector_image_digest (preferred) or detector_image_tag, or deploy_functions = false."
    }
  }
}

resource "aws_lambda_function" "recognizer" {
  count = var.deploy_functions ? 1 : 0

  function_name                  = local.recognizer_name
  description                    = "FRS recognizer: request queue -> embed and match -> response queue"
  role                           = aws_iam_role.recognizer.arn
  package_type                   = "Image"
  image_uri                      = local.recognizer_image_uri
  architectures                  = [var.architecture]
  memory_size                    = var.recognizer_memory_size
  timeout                        = var.recognizer_timeout
  reserved_concurrent_executions = var.recognizer_reserved_concurrency

  image_config {
    command = ["recognizer/dist/handler.handler"]
  }

  environment {
    variables = local.recognizer_environment
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.recognizer.name
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.recognizer, aws_ecr_repository_policy.this]

  lifecycle {
    precondition {
      condition     = local.recognizer_image_uri != null
      error_message = "Set recognizer_image_digest (preferred) or recognizer_image_tag, or deploy_functions = false."
    }

    precondition {
      condition     = var.recognizer_gallery != null
      error_message = "recognizer_gallery (FRS_GALLERY) is required to deploy the recognizer."
    }

    precondition {
      condition     = var.recognizer_reserved_concurrency == -1 || var.recognizer_reserved_concurrency >= var.event_source_maximum_concurrency
      error_message = "recognizer_reserved_concurrency must be -1 or at least event_source_maximum_concurrency, or the event source mapping is throttled."
    }
  }
}
