resource "aws_sqs_queue" "request_dlq" {
  name                      = "${local.request_queue_name}-dlq"
  message_retention_seconds = var.dlq_message_retention_seconds
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_sqs_queue" "request" {
  name                       = local.request_queue_name
  visibility_timeout_seconds = local.request_visibility_timeout_seconds
  message_retention_seconds  = var.request_message_retention_seconds
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.request_dlq.arn
    maxReceiveCount     = var.request_max_receive_count
  })

  # Within the SQS limit of 43200 s by construction: 6 x 900 + 300 at most.
  tags = var.tags
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
