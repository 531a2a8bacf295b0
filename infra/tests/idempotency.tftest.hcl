# The recognizer's idempotency table (idempotency.tf), its IAM and environment.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  detector_image_digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
  recognizer_image_tag  = "recognizer-0.3.1"
  recognizer_gallery    = "/var/task/gallery/gallery.json"
  enroller_image_tag    = "enroller-0.1.0"
}

run "idempotency_table_is_keyed_by_id_with_ttl_on_expires_at" {
  command = apply

  assert {
    condition     = aws_dynamodb_table.idempotency[0].name == "frs-idempotency" && aws_dynamodb_table.idempotency[0].hash_key == "id" && aws_dynamodb_table.idempotency[0].billing_mode == "PAY_PER_REQUEST"
    error_message = "the table must be <name_prefix>-idempotency, on demand, keyed by id"
  }

  assert {
    condition     = one(aws_dynamodb_table.idempotency[0].ttl).attribute_name == "expires_at" && one(aws_dynamodb_table.idempotency[0].ttl).enabled
    error_message = "TTL must be enabled on expires_at"
  }
}

run "recognizer_gets_the_table_and_ttls_in_its_environment" {
  command = apply

  variables {
    recognizer_timeout                 = 90
    recognizer_idempotency_ttl_seconds = 7200
  }

  assert {
    condition     = aws_lambda_function.this["recognizer"].environment[0].variables["FRS_IDEMPOTENCY_TABLE"] == "frs-idempotency"
    error_message = "the recognizer must be told the table name"
  }

  assert {
    condition     = aws_lambda_function.this["recognizer"].environment[0].variables["FRS_IDEMPOTENCY_TTL_SECONDS"] == "7200" && aws_lambda_function.this["recognizer"].environment[0].variables["FRS_IDEMPOTENCY_IN_PROGRESS_SECONDS"] == "90"
    error_message = "the window must come from the variable and the in-progress TTL from the function timeout"
  }
}

run "recognizer_may_use_only_its_table" {
  command = apply

  assert {
    condition = (
      length(data.aws_iam_policy_document.recognizer_idempotency[0].statement) == 1
      && one(data.aws_iam_policy_document.recognizer_idempotency[0].statement).resources == toset([aws_dynamodb_table.idempotency[0].arn])
      && one(data.aws_iam_policy_document.recognizer_idempotency[0].statement).actions == toset(["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"])
      && aws_iam_role_policy.recognizer_idempotency[0].role == aws_iam_role.this["recognizer"].id
    )
    error_message = "the recognizer's DynamoDB access must be the four item actions on the idempotency table only"
  }
}

run "deduplication_can_be_turned_off" {
  command = apply

  variables {
    recognizer_idempotency = false
  }

  assert {
    condition     = length(aws_dynamodb_table.idempotency) == 0 && !contains(keys(aws_lambda_function.this["recognizer"].environment[0].variables), "FRS_IDEMPOTENCY_TABLE")
    error_message = "without recognizer_idempotency there must be no table and no FRS_IDEMPOTENCY_TABLE"
  }
}
