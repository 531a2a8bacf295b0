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

  # The three functions of the one image. Every per-function resource is a for_each over these keys.
  function_keys  = toset(["detector", "recognizer", "enroller"])
  function_names = { for fn in local.function_keys : fn => "${var.name_prefix}-${fn}" }

  # Known before the functions exist, so IAM and the repository policy can name them without a cycle.
  function_arns = {
    for fn, name in local.function_names : fn => "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${name}"
  }

  # The managed gallery (AGREEMENTS: snapshot.json and thumbs/ under one prefix the enroller owns).
  gallery_bucket_name  = coalesce(var.gallery_bucket_name, "${var.name_prefix}-gallery-${local.account_id}-${local.region}")
  gallery_prefix       = "gallery/"
  gallery_snapshot_key = "${local.gallery_prefix}snapshot.json"

  # AWS: request queue visibility >= 6 x function timeout + batching window, so a batch that is retried
  # after throttling is not handed to a second invocation while the first still runs.
  request_visibility_timeout_seconds = 6 * var.recognizer_timeout + var.event_source_batching_window_seconds
}
