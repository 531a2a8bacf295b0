data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  request_queue_name  = coalesce(var.request_queue_name, "${var.name_prefix}-request")
  response_queue_name = coalesce(var.response_queue_name, "${var.name_prefix}-response")
  repository_name     = coalesce(var.ecr_repository_name, var.name_prefix)

  detector_name   = "${var.name_prefix}-detector"
  recognizer_name = "${var.name_prefix}-recognizer"

  # Known before the functions exist, so IAM and the repository policy can name them without a cycle.
  detector_arn   = "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${local.detector_name}"
  recognizer_arn = "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${local.recognizer_name}"

  # AWS: request queue visibility >= 6 x function timeout + batching window, so a batch that is retried
  # after throttling is not handed to a second invocation while the first still runs.
  request_visibility_timeout_seconds = 6 * var.recognizer_timeout + var.event_source_batching_window_seconds
}
