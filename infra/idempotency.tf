# The recognizer's idempotency table: one item per answered (or in-progress) job, keyed by
# "<request_id>#<sha256 of the job without received_at and timing>". The recognizer writes it with a
# conditional PutItem (attribute_not_exists(id) OR expires_at < :now) and decides expiry itself;
# DynamoDB's TTL on expires_at only removes old items to keep the table small.

resource "aws_dynamodb_table" "idempotency" {
  count = var.recognizer_idempotency ? 1 : 0

  name         = "${var.name_prefix}-idempotency"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {
    name = "id"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  tags = var.tags
}

data "aws_iam_policy_document" "recognizer_idempotency" {
  count = var.recognizer_idempotency ? 1 : 0

  # Claim (conditional PutItem), read a refused claim (GetItem), mark answered, release a failed claim
  # (conditional DeleteItem). UpdateItem is allowed for a later switch to in-place updates.
  statement {
    sid       = "IdempotencyTable"
    effect    = "Allow"
    actions   = ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    resources = [aws_dynamodb_table.idempotency[0].arn]
  }
}

resource "aws_iam_role_policy" "recognizer_idempotency" {
  count = var.recognizer_idempotency ? 1 : 0

  name   = "frs-recognizer-idempotency"
  role   = aws_iam_role.this["recognizer"].id
  policy = data.aws_iam_policy_document.recognizer_idempotency[0].json
}

locals {
  # Merged into local.recognizer_environment (functions.tf). The in-progress TTL is the function timeout:
  # a claim never outlives the invocation, and it stays well below the request queue's visibility timeout
  # (6 x timeout + batching window), so a crashed batch's retry always finds its claims expired.
  recognizer_idempotency_environment = var.recognizer_idempotency ? {
    FRS_IDEMPOTENCY_TABLE               = aws_dynamodb_table.idempotency[0].name
    FRS_IDEMPOTENCY_TTL_SECONDS         = var.recognizer_idempotency_ttl_seconds
    FRS_IDEMPOTENCY_IN_PROGRESS_SECONDS = var.recognizer_timeout
  } : {}
}
