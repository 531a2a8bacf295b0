# The per-function resources became for_each instances when the enroller joined (issue 14); these keep
# existing stacks' functions, roles and log groups in place instead of replacing them.
moved {
  from = aws_lambda_function.detector[0]
  to   = aws_lambda_function.this["detector"]
}

moved {
  from = aws_lambda_function.recognizer[0]
  to   = aws_lambda_function.this["recognizer"]
}

moved {
  from = aws_cloudwatch_log_group.detector
  to   = aws_cloudwatch_log_group.this["detector"]
}

moved {
  from = aws_cloudwatch_log_group.recognizer
  to   = aws_cloudwatch_log_group.this["recognizer"]
}

moved {
  from = aws_iam_role.detector
  to   = aws_iam_role.this["detector"]
}

moved {
  from = aws_iam_role.recognizer
  to   = aws_iam_role.this["recognizer"]
}

moved {
  from = aws_iam_role_policy.detector
  to   = aws_iam_role_policy.this["detector"]
}

moved {
  from = aws_iam_role_policy.recognizer
  to   = aws_iam_role_policy.this["recognizer"]
}

moved {
  from = aws_lambda_function_url.detector[0]
  to   = aws_lambda_function_url.this["detector"]
}
