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

resource "aws_iam_role" "detector" {
  name               = local.detector_name
  description        = "Execution role of the FRS detector: write its logs, send to the request queue."
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = var.tags
}

resource "aws_iam_role" "recognizer" {
  name               = local.recognizer_name
  description        = "Execution role of the FRS recognizer: write its logs, consume the request queue, send to the response queue."
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "detector" {
  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.detector.arn}:*"]
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
    resources = ["${aws_cloudwatch_log_group.recognizer.arn}:*"]
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
}

resource "aws_iam_role_policy" "detector" {
  name   = "frs-detector"
  role   = aws_iam_role.detector.id
  policy = data.aws_iam_policy_document.detector.json
}

resource "aws_iam_role_policy" "recognizer" {
  name   = "frs-recognizer"
  role   = aws_iam_role.recognizer.id
  policy = data.aws_iam_policy_document.recognizer.json
}
