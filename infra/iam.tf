data "aws_iam_policy_document" "lambda_assume" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

locals {
  role_descriptions = {
    detector   = "Execution role of the FRS detector: write its logs, send to the request queue."
    recognizer = "Execution role of the FRS recognizer: write its logs, consume the request queue, send to the response queue, read the gallery snapshot."
    enroller   = "Execution role of the FRS enroller: write its logs, read and write the gallery prefix of the gallery bucket."
  }

  # s3://bucket/key -> the object ARN the recognizer may read; null for image paths and https URLs.
  recognizer_gallery_object = (startswith(local.recognizer_gallery, "s3://")
    ? "arn:${local.partition}:s3:::${trimprefix(local.recognizer_gallery, "s3://")}"
  : null)

  # The same location split into bucket and key, for the listing condition.
  recognizer_gallery_location = (startswith(local.recognizer_gallery, "s3://")
    ? {
      bucket = split("/", trimprefix(local.recognizer_gallery, "s3://"))[0]
      key    = join("/", slice(split("/", trimprefix(local.recognizer_gallery, "s3://")), 1, length(split("/", trimprefix(local.recognizer_gallery, "s3://")))))
    }
  : null)

  gallery_bucket_arn = aws_s3_bucket.gallery.arn

  role_policies = {
    detector   = data.aws_iam_policy_document.detector.json
    recognizer = data.aws_iam_policy_document.recognizer.json
    enroller   = data.aws_iam_policy_document.enroller.json
  }
}

resource "aws_iam_role" "this" {
  for_each = local.function_names

  name               = each.value
  description        = local.role_descriptions[each.key]
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "detector" {
  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this["detector"].arn}:*"]
  }

  statement {
    sid       = "SendRequests"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.request.arn]
  }
}

data "aws_iam_policy_document" "recognizer" {
  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this["recognizer"].arn}:*"]
  }

  # Exactly what the SQS event source mapping needs to poll on the function's behalf.
  statement {
    sid       = "ConsumeRequests"
    effect    = "Allow"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    resources = [aws_sqs_queue.request.arn]
  }

  statement {
    sid       = "SendResponses"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.response.arn]
  }

  # One object, read only (a conditional GET is a GetObject too).
  dynamic "statement" {
    for_each = local.recognizer_gallery_object == null ? [] : [local.recognizer_gallery_object]

    content {
      sid       = "ReadGallerySnapshot"
      effect    = "Allow"
      actions   = ["s3:GetObject"]
      resources = [statement.value]
    }
  }

  # Listing limited to the snapshot's own key reveals no other key, but makes S3 answer 404 rather than
  # 403 for a snapshot that does not exist yet: a fresh deployment, which the recognizer reads as an empty
  # gallery instead of failing every record.
  dynamic "statement" {
    for_each = local.recognizer_gallery_location == null ? [] : [local.recognizer_gallery_location]

    content {
      sid       = "SeeWhetherSnapshotExists"
      effect    = "Allow"
      actions   = ["s3:ListBucket"]
      resources = ["arn:${local.partition}:s3:::${statement.value.bucket}"]

      condition {
        test     = "StringEquals"
        variable = "s3:prefix"
        values   = [statement.value.key]
      }
    }
  }
}

data "aws_iam_policy_document" "enroller" {
  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this["enroller"].arn}:*"]
  }

  # Conditional writes of the snapshot and thumbnails, and deletion of every version of what a person's
  # removal touches: nothing outside the prefix.
  statement {
    sid    = "ReadWriteGalleryObjects"
    effect = "Allow"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:GetObjectVersion",
      "s3:DeleteObjectVersion",
    ]
    resources = ["${local.gallery_bucket_arn}/${local.gallery_prefix}*"]
  }

  statement {
    sid       = "ListGalleryPrefix"
    effect    = "Allow"
    actions   = ["s3:ListBucket", "s3:ListBucketVersions"]
    resources = [local.gallery_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.gallery_prefix}*"]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  for_each = local.function_names

  name   = "frs-${each.key}"
  role   = aws_iam_role.this[each.key].id
  policy = local.role_policies[each.key]
}
