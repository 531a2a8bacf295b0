# Shared by every tests/*.tftest.hcl: fixed identities, and fixed ARNs and URLs in place of the random
# strings a mock would produce, so assertions can name exact resources.
mock_data "aws_caller_identity" {
  defaults = { account_id = "123456789012" }
}

mock_data "aws_region" {
  defaults = { name = "eu-west-1" }
}

mock_data "aws_partition" {
  defaults = { partition = "aws" }
}

# Policy documents are rendered by the real provider in the moto test; here they only need to be
# valid JSON, and assertions read their statement blocks instead.
mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}

override_resource {
  target = aws_sqs_queue.request
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:frs-request"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/frs-request"
  }
}

override_resource {
  target = aws_sqs_queue.request_dlq
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:frs-request-dlq"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/frs-request-dlq"
  }
}

override_resource {
  target = aws_sqs_queue.response
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:frs-response"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/frs-response"
  }
}

override_resource {
  target = aws_sqs_queue.response_dlq
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:frs-response-dlq"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/frs-response-dlq"
  }
}

override_resource {
  target = aws_ecr_repository.this
  values = {
    arn            = "arn:aws:ecr:eu-west-1:123456789012:repository/frs"
    repository_url = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/frs"
  }
}

override_resource {
  target = aws_cloudwatch_log_group.this["detector"]
  values = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/frs-detector" }
}

override_resource {
  target = aws_iam_role.this["detector"]
  values = { arn = "arn:aws:iam::123456789012:role/frs-detector" }
}

override_resource {
  target = aws_lambda_function.this["detector"]
  values = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:frs-detector" }
}

override_resource {
  target = aws_cloudwatch_log_group.this["recognizer"]
  values = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/frs-recognizer" }
}

override_resource {
  target = aws_iam_role.this["recognizer"]
  values = { arn = "arn:aws:iam::123456789012:role/frs-recognizer" }
}

override_resource {
  target = aws_lambda_function.this["recognizer"]
  values = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:frs-recognizer" }
}

override_resource {
  target = aws_cloudwatch_log_group.this["enroller"]
  values = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/frs-enroller" }
}

override_resource {
  target = aws_iam_role.this["enroller"]
  values = { arn = "arn:aws:iam::123456789012:role/frs-enroller" }
}

override_resource {
  target = aws_lambda_function.this["enroller"]
  values = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:frs-enroller" }
}

override_resource {
  target = aws_lambda_function_url.this["detector"]
  values = { function_url = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/" }
}

override_resource {
  target = aws_lambda_function_url.this["enroller"]
  values = { function_url = "https://enrollerenrollerenrollerenroll.lambda-url.eu-west-1.on.aws/" }
}

override_resource {
  target = aws_s3_bucket.gallery
  values = { arn = "arn:aws:s3:::frs-gallery-123456789012-eu-west-1" }
}

override_resource {
  target = aws_sns_topic.alarms
  values = { arn = "arn:aws:sns:eu-west-1:123456789012:frs-alarms" }
}

# Distinct rendered documents, so a test can tell which document a role or policy carries.
override_data {
  target = data.aws_iam_policy_document.lambda_assume
  values = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[],\"Id\":\"lambda-assume\"}" }
}

override_data {
  target = data.aws_iam_policy_document.detector
  values = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[],\"Id\":\"detector\"}" }
}

override_data {
  target = data.aws_iam_policy_document.recognizer
  values = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[],\"Id\":\"recognizer\"}" }
}

override_data {
  target = data.aws_iam_policy_document.enroller
  values = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[],\"Id\":\"enroller\"}" }
}

override_data {
  target = data.aws_iam_policy_document.gallery_bucket
  values = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[],\"Id\":\"gallery-bucket\"}" }
}
