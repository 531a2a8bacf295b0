locals {
  repository_url = aws_ecr_repository.this.repository_url

  image_refs = {
    detector   = { digest = var.detector_image_digest, tag = var.detector_image_tag }
    recognizer = { digest = var.recognizer_image_digest, tag = var.recognizer_image_tag }
    enroller   = { digest = var.enroller_image_digest, tag = var.enroller_image_tag }
  }

  # A digest cannot move, so it wins over a tag.
  image_uris = {
    for fn, ref in local.image_refs : fn => (ref.digest != null ? "${local.repository_url}@${ref.digest}"
    : (ref.tag != null ? "${local.repository_url}:${ref.tag}" : null))
  }

  # FRS_GALLERY of the recognizer: the managed snapshot unless the caller names another gallery.
  recognizer_gallery = coalesce(var.recognizer_gallery, "s3://${aws_s3_bucket.gallery.bucket}/${local.gallery_snapshot_key}")

  # Null settings are left out so the application's own defaults apply.
  common_environment = {
    LOG_LEVEL      = var.log_level
    FRS_MODELS_DIR = var.models_dir
  }

  environments = {
    detector = merge(local.common_environment, {
      FRS_REQUEST_QUEUE_URL = aws_sqs_queue.request.url
      FRS_MAX_BODY_BYTES    = var.detector_max_body_bytes
      FRS_MAX_PIXELS        = var.detector_max_pixels
      FRS_MIN_FACE_SIZE     = var.detector_min_face_size
      FRS_MAX_FACES         = var.detector_max_faces
    })
    recognizer = merge(local.common_environment, {
      FRS_RESPONSE_QUEUE_URL      = aws_sqs_queue.response.url
      FRS_GALLERY                 = local.recognizer_gallery
      FRS_GALLERY_REFRESH_SECONDS = var.recognizer_gallery_refresh_seconds
      FRS_CAMERA_QUEUE_PREFIX     = local.camera_queue_url_prefix
      FRS_MATCH_THRESHOLD         = var.recognizer_match_threshold
      FRS_RESULT_CANDIDATES       = var.recognizer_result_candidates
    }, local.recognizer_idempotency_environment)
    enroller = merge(local.common_environment, {
      FRS_GALLERY_STORE  = "s3://${aws_s3_bucket.gallery.bucket}/${local.gallery_prefix}"
      FRS_MAX_BODY_BYTES = var.enroller_max_body_bytes
      FRS_MAX_PIXELS     = var.enroller_max_pixels
      FRS_MIN_FACE_SIZE  = var.enroller_min_face_size
    })
  }

  # The command picks the handler module relative to LAMBDA_TASK_ROOT (/var/task), where the Dockerfile
  # puts each function's `pnpm deploy` tree under its own name.
  functions = {
    detector = {
      description          = "FRS detector: Function URL -> MTCNN -> request queue"
      command              = "detector/dist/handler.handler"
      memory_size          = var.detector_memory_size
      timeout              = var.detector_timeout
      reserved_concurrency = var.detector_reserved_concurrency
    }
    recognizer = {
      description          = "FRS recognizer: request queue -> embed and match -> response queue"
      command              = "recognizer/dist/handler.handler"
      memory_size          = var.recognizer_memory_size
      timeout              = var.recognizer_timeout
      reserved_concurrency = var.recognizer_reserved_concurrency
    }
    enroller = {
      description          = "FRS enroller: Function URL -> people and photos API -> gallery bucket"
      command              = "enroller/dist/handler.handler"
      memory_size          = var.enroller_memory_size
      timeout              = var.enroller_timeout
      reserved_concurrency = var.enroller_reserved_concurrency
    }
  }
}

resource "aws_cloudwatch_log_group" "this" {
  for_each = local.function_names

  name              = "/aws/lambda/${each.value}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  for_each = var.deploy_functions ? local.functions : {}

  function_name                  = local.function_names[each.key]
  description                    = each.value.description
  role                           = aws_iam_role.this[each.key].arn
  package_type                   = "Image"
  image_uri                      = local.image_uris[each.key]
  architectures                  = [var.architecture]
  memory_size                    = each.value.memory_size
  timeout                        = each.value.timeout
  reserved_concurrent_executions = each.value.reserved_concurrency

  image_config {
    command = [each.value.command]
  }

  environment {
    variables = { for k, v in local.environments[each.key] : k => tostring(v) if v != null }
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.this[each.key].name
  }

  tags = var.tags

  # The role's policy must exist before the first cold start tries to log, send or read the gallery.
  # The recognizer's idempotency grant is a separate policy: it must exist before the first batch too.
  depends_on = [aws_iam_role_policy.this, aws_iam_role_policy.recognizer_idempotency, aws_ecr_repository_policy.this]

  lifecycle {
    precondition {
      condition     = local.image_uris[each.key] != null
      error_message = "Set ${each.key}_image_digest (preferred) or ${each.key}_image_tag, or deploy_functions = false."
    }

    precondition {
      condition     = each.key != "recognizer" || var.recognizer_reserved_concurrency == -1 || var.recognizer_reserved_concurrency >= var.event_source_maximum_concurrency
      error_message = "recognizer_reserved_concurrency must be -1 or at least event_source_maximum_concurrency, or the event source mapping is throttled."
    }
  }
}
