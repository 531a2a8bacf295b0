# Plan/apply against a mocked AWS provider (tests/mocks/aws.tfmock.hcl): no credentials, no network.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  detector_image_digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
  recognizer_image_tag  = "recognizer-0.3.1"
  enroller_image_tag    = "enroller-0.1.0"
}

run "both_dlqs_alarm_on_any_visible_message" {
  command = apply

  assert {
    condition     = keys(aws_cloudwatch_metric_alarm.dlq_not_empty) == ["request", "response"]
    error_message = "each DLQ needs an alarm"
  }

  assert {
    condition = (aws_cloudwatch_metric_alarm.dlq_not_empty["request"].dimensions == tomap({ QueueName = "frs-request-dlq" })
    && aws_cloudwatch_metric_alarm.dlq_not_empty["response"].dimensions == tomap({ QueueName = "frs-response-dlq" }))
    error_message = "the alarms must watch the DLQs, not their source queues"
  }

  assert {
    condition = alltrue([for a in aws_cloudwatch_metric_alarm.dlq_not_empty : a.namespace == "AWS/SQS" && a.metric_name == "ApproximateNumberOfMessagesVisible"
    && a.comparison_operator == "GreaterThanThreshold" && a.threshold == 0 && a.statistic == "Maximum" && a.treat_missing_data == "notBreaching"])
    error_message = "a DLQ alarm fires on more than 0 visible messages; an idle empty DLQ publishes nothing and is healthy"
  }
}

run "request_queue_alarms_on_the_age_of_its_oldest_message" {
  command = apply

  assert {
    condition = (aws_cloudwatch_metric_alarm.request_age.namespace == "AWS/SQS" && aws_cloudwatch_metric_alarm.request_age.metric_name == "ApproximateAgeOfOldestMessage"
    && aws_cloudwatch_metric_alarm.request_age.dimensions == tomap({ QueueName = "frs-request" }))
    error_message = "the age alarm must watch the request queue's oldest message"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.request_age.threshold == 600 && aws_cloudwatch_metric_alarm.request_age.comparison_operator == "GreaterThanThreshold"
    error_message = "the default age threshold is 600 s"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.request_age.threshold > aws_sqs_queue.request.visibility_timeout_seconds
    error_message = "one retried request (one visibility timeout) must not page"
  }
}

run "every_function_alarms_when_its_concurrency_ceiling_throttles" {
  command = apply

  assert {
    condition     = { for k, a in aws_cloudwatch_metric_alarm.throttles : k => a.dimensions } == { for k, n in { detector = "frs-detector", enroller = "frs-enroller", recognizer = "frs-recognizer" } : k => tomap({ FunctionName = n }) }
    error_message = "each function needs a throttle alarm on its own name"
  }

  assert {
    condition = alltrue([for a in aws_cloudwatch_metric_alarm.throttles : a.namespace == "AWS/Lambda" && a.metric_name == "Throttles" && a.statistic == "Sum"
    && a.comparison_operator == "GreaterThanThreshold" && a.threshold == 0])
    error_message = "a throttle alarm fires on any throttled invocation"
  }
}

run "no_throttle_alarms_without_functions" {
  command = plan

  variables {
    deploy_functions      = false
    detector_image_digest = null
    recognizer_image_tag  = null
    enroller_image_tag    = null
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.throttles) == 0 && length(aws_cloudwatch_metric_alarm.dlq_not_empty) == 2
    error_message = "throttle alarms follow the functions; queue alarms exist from the first apply"
  }
}

run "alarms_have_no_actions_without_a_topic_or_emails" {
  command = plan

  assert {
    condition     = length(aws_sns_topic.alarms) == 0 && length(aws_sns_topic_subscription.alarm_emails) == 0 && output.alarm_topic_arn == null
    error_message = "no topic is created unless asked"
  }

  assert {
    condition     = alltrue([for a in concat(values(aws_cloudwatch_metric_alarm.dlq_not_empty), values(aws_cloudwatch_metric_alarm.throttles), [aws_cloudwatch_metric_alarm.request_age]) : length(a.alarm_actions) == 0])
    error_message = "alarms without a topic have no actions"
  }
}

run "emails_get_a_topic_that_every_alarm_notifies" {
  command = apply

  variables {
    alarm_emails = ["ops@example.com", "oncall@example.com"]
  }

  assert {
    condition     = aws_sns_topic.alarms[0].name == "frs-alarms" && output.alarm_topic_arn == "arn:aws:sns:eu-west-1:123456789012:frs-alarms"
    error_message = "emails create <prefix>-alarms"
  }

  assert {
    condition = ({ for k, s in aws_sns_topic_subscription.alarm_emails : k => [s.protocol, s.endpoint, s.topic_arn] } == {
      "ops@example.com"    = ["email", "ops@example.com", "arn:aws:sns:eu-west-1:123456789012:frs-alarms"]
      "oncall@example.com" = ["email", "oncall@example.com", "arn:aws:sns:eu-west-1:123456789012:frs-alarms"]
    })
    error_message = "each address gets an e-mail subscription to the topic"
  }

  assert {
    condition = alltrue([for a in concat(values(aws_cloudwatch_metric_alarm.dlq_not_empty), values(aws_cloudwatch_metric_alarm.throttles), [aws_cloudwatch_metric_alarm.request_age]) :
    a.alarm_actions == toset(["arn:aws:sns:eu-west-1:123456789012:frs-alarms"]) && a.ok_actions == toset(["arn:aws:sns:eu-west-1:123456789012:frs-alarms"])])
    error_message = "every alarm must notify the topic on ALARM and on OK"
  }
}

run "an_existing_topic_is_used_and_none_created" {
  command = apply

  variables {
    alarm_topic_arn = "arn:aws:sns:eu-west-1:123456789012:ops-pager"
    alarm_emails    = ["ops@example.com"]
  }

  assert {
    condition     = length(aws_sns_topic.alarms) == 0 && length(aws_sns_topic_subscription.alarm_emails) == 0
    error_message = "a given topic wins; its subscriptions are the owner's business"
  }

  assert {
    condition     = alltrue([for a in concat(values(aws_cloudwatch_metric_alarm.dlq_not_empty), values(aws_cloudwatch_metric_alarm.throttles), [aws_cloudwatch_metric_alarm.request_age]) : a.alarm_actions == toset(["arn:aws:sns:eu-west-1:123456789012:ops-pager"])])
    error_message = "every alarm must notify the given topic"
  }
}

run "rejects_a_malformed_topic" {
  command = plan

  variables {
    alarm_topic_arn = "ops-pager"
  }

  expect_failures = [var.alarm_topic_arn]
}

run "rejects_a_malformed_email" {
  command = plan

  variables {
    alarm_emails = ["not-an-address"]
  }

  expect_failures = [var.alarm_emails]
}

run "rejects_an_age_threshold_beyond_the_retention" {
  command = plan

  variables {
    request_age_alarm_seconds         = 7200
    request_message_retention_seconds = 3600
    recognizer_timeout                = 60
  }

  expect_failures = [var.request_age_alarm_seconds]
}
