# Per-camera response queues (issue 11 point 8). A camera sends `camera_id` in its request; the recognizer
# sends that camera's results to "<name_prefix>-camera-<camera_id>" and falls back to the shared response
# queue (with a warning in its log) for a camera without a queue. Each camera then receives only its own
# queue, so no camera can consume another's results; IAM for the cameras (sqs:ReceiveMessage/DeleteMessage
# on their own queue ARN only, from output camera_queue_arns) is the operator's, as for the shared queue.
# With camera_ids = [] (the default) this creates nothing.
locals {
  camera_queue_name_prefix = "${var.name_prefix}-camera-"

  # The shared response queue's URL with its name swapped for the camera prefix: the same endpoint,
  # partition and account as the queues below, without waiting for one of them to exist.
  camera_queue_url_prefix = length(var.camera_ids) == 0 ? null : "${trimsuffix(aws_sqs_queue.response.url, local.response_queue_name)}${local.camera_queue_name_prefix}"
}

# Outside the "<name_prefix>-camera-" namespace, so no camera id can name another camera's DLQ.
resource "aws_sqs_queue" "camera_dlq" {
  for_each = var.camera_ids

  name                      = "${var.name_prefix}-dlq-camera-${each.key}"
  message_retention_seconds = var.dlq_message_retention_seconds
  sqs_managed_sse_enabled   = true
  tags                      = merge(var.tags, { "frs:camera_id" = each.key })
}

# Set up like the shared response queue. Only its camera polls it, so a result is received about once
# before it is deleted; the same receive limit is kept so both queues dead-letter alike.
resource "aws_sqs_queue" "camera" {
  for_each = var.camera_ids

  name                       = "${local.camera_queue_name_prefix}${each.key}"
  visibility_timeout_seconds = var.response_visibility_timeout_seconds
  receive_wait_time_seconds  = var.response_receive_wait_time_seconds
  message_retention_seconds  = var.response_message_retention_seconds
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.camera_dlq[each.key].arn
    maxReceiveCount     = var.response_max_receive_count
  })

  tags = merge(var.tags, { "frs:camera_id" = each.key })
}

resource "aws_sqs_queue_redrive_allow_policy" "camera_dlq" {
  for_each = var.restrict_dlq_sources ? var.camera_ids : toset([])

  queue_url = aws_sqs_queue.camera_dlq[each.key].id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.camera[each.key].arn]
  })
}

# A separate inline policy on the recognizer role, so the role's main policy (iam.tf) stays as it is.
# The resource is the camera namespace, not the list of queues: SQS checks IAM before it looks the queue
# up, so a send to a camera without a queue must be allowed to get QueueDoesNotExist (the recognizer's
# cue to fall back to the shared queue) instead of AccessDenied (a failed record, retried into the DLQ).
data "aws_iam_policy_document" "recognizer_cameras" {
  count = length(var.camera_ids) == 0 ? 0 : 1

  statement {
    sid       = "SendCameraResponses"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = ["arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.camera_queue_name_prefix}*"]
  }
}

resource "aws_iam_role_policy" "recognizer_cameras" {
  count = length(var.camera_ids) == 0 ? 0 : 1

  name   = "frs-recognizer-cameras"
  role   = aws_iam_role.this["recognizer"].id
  policy = data.aws_iam_policy_document.recognizer_cameras[0].json
}

