# Operators hear about failures: a dead-lettered message means a request or a result was given up on, and
# an old message at the head of the request queue means the recognizer is down, throttled or behind.
locals {
  create_alarm_topic = var.alarm_topic_arn == null && length(var.alarm_emails) > 0
  alarm_topic_arn    = var.alarm_topic_arn != null ? var.alarm_topic_arn : one(aws_sns_topic.alarms[*].arn)
  alarm_actions      = local.alarm_topic_arn == null ? [] : [local.alarm_topic_arn]

  dlq_alarms = {
    request = {
      queue       = aws_sqs_queue.request_dlq.name
      description = "Requests were dead-lettered: the recognizer failed them ${var.request_max_receive_count} times. Inspect and redrive ${aws_sqs_queue.request_dlq.name}."
    }
    response = {
      queue       = aws_sqs_queue.response_dlq.name
      description = "Results were dead-lettered: received ${var.response_max_receive_count} times without being deleted. Inspect ${aws_sqs_queue.response_dlq.name}."
    }
  }
}

# Unencrypted on purpose: CloudWatch cannot publish to a topic encrypted with the AWS managed SNS key, and
# alarm notifications carry no face data.
resource "aws_sns_topic" "alarms" {
  count = local.create_alarm_topic ? 1 : 0

  name = "${var.name_prefix}-alarms"
  tags = var.tags
}

resource "aws_sns_topic_subscription" "alarm_emails" {
  for_each = local.create_alarm_topic ? toset(var.alarm_emails) : toset([])

  topic_arn = aws_sns_topic.alarms[0].arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_cloudwatch_metric_alarm" "dlq_not_empty" {
  for_each = local.dlq_alarms

  alarm_name        = "${each.value.queue}-not-empty"
  alarm_description = each.value.description
  namespace         = "AWS/SQS"
  metric_name       = "ApproximateNumberOfMessagesVisible"
  dimensions        = { QueueName = each.value.queue }

  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  # SQS stops publishing metrics for a queue that has been empty and idle for hours: that is the healthy
  # state of a DLQ, not a gap.
  treat_missing_data = "notBreaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
  tags          = var.tags
}

resource "aws_cloudwatch_metric_alarm" "request_age" {
  alarm_name        = "${aws_sqs_queue.request.name}-oldest-message-age"
  alarm_description = "The oldest request has waited more than ${var.request_age_alarm_seconds} s: the recognizer is down, throttled or behind. Requests expire after ${var.request_message_retention_seconds} s."
  namespace         = "AWS/SQS"
  metric_name       = "ApproximateAgeOfOldestMessage"
  dimensions        = { QueueName = aws_sqs_queue.request.name }

  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.request_age_alarm_seconds
  treat_missing_data  = "notBreaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
  tags          = var.tags
}

# The reserved concurrency is also a ceiling (variables.tf): when it turns traffic away (429 on a URL,
# retries on the event source mapping), operators should know the ceiling, not the caller, is the limit.
resource "aws_cloudwatch_metric_alarm" "throttles" {
  for_each = var.deploy_functions ? local.function_names : {}

  alarm_name        = "${each.value}-throttled"
  alarm_description = "${each.value} turned invocations away at its concurrency ceiling (${each.key}_reserved_concurrency); raise it or find the flood."
  namespace         = "AWS/Lambda"
  metric_name       = "Throttles"
  dimensions        = { FunctionName = each.value }

  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
  tags          = var.tags
}
