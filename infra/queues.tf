resource "aws_sqs_queue" "request_dlq" {
  name                      = "${local.request_queue_name}-dlq"
  message_retention_seconds = var.dlq_message_retention_seconds
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_sqs_queue" "request" {
  name = local.request_queue_name
  # Within the SQS limit of 43200 s by construction: 6 x 900 + 300 at most.
  visibility_timeout_seconds = local.request_visibility_timeout_seconds
  message_retention_seconds  = var.request_message_retention_seconds
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.request_dlq.arn
    maxReceiveCount     = var.request_max_receive_count
  })

  tags = var.tags

  lifecycle {
    # A request that fails every time is received once per visibility timeout; it must use up its
    # receives and reach the DLQ (and its alarm) before the retention period deletes it silently.
    precondition {
      condition     = var.request_message_retention_seconds > var.request_max_receive_count * local.request_visibility_timeout_seconds
      error_message = "request_message_retention_seconds must exceed request_max_receive_count x the request visibility timeout (${var.request_max_receive_count} x ${local.request_visibility_timeout_seconds} s), or failing requests expire instead of being dead-lettered."
    }
  }
}

resource "aws_sqs_queue_redrive_allow_policy" "request_dlq" {
  count = var.restrict_dlq_sources ? 1 : 0

  queue_url = aws_sqs_queue.request_dlq.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.request.arn]
  })
}

resource "aws_sqs_queue" "response_dlq" {
  name                      = "${local.response_queue_name}-dlq"
  message_retention_seconds = var.dlq_message_retention_seconds
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_sqs_queue" "response" {
  name                       = local.response_queue_name
  visibility_timeout_seconds = var.response_visibility_timeout_seconds
  receive_wait_time_seconds  = var.response_receive_wait_time_seconds
  message_retention_seconds  = var.response_message_retention_seconds
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.response_dlq.arn
    maxReceiveCount     = var.response_max_receive_count
  })

  tags = var.tags
}

resource "aws_sqs_queue_redrive_allow_policy" "response_dlq" {
  count = var.restrict_dlq_sources ? 1 : 0

  queue_url = aws_sqs_queue.response_dlq.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.response.arn]
  })
}
