resource "aws_lambda_event_source_mapping" "requests" {
  count = var.deploy_functions ? 1 : 0

  event_source_arn                   = aws_sqs_queue.request.arn
  function_name                      = aws_lambda_function.this["recognizer"].arn
  batch_size                         = var.event_source_batch_size
  maximum_batching_window_in_seconds = var.event_source_batching_window_seconds

  # The recognizer reports failed messages individually so one bad face does not retry the whole batch.
  function_response_types = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.event_source_maximum_concurrency
  }
}
