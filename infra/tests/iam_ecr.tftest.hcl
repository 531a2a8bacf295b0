# Plan/apply against a mocked AWS provider (tests/mocks/aws.tfmock.hcl): no credentials, no network.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  detector_image_digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
  recognizer_image_tag  = "recognizer-0.3.1"
  recognizer_gallery    = "/var/task/gallery/gallery.json"
}

run "detector_role_may_only_log_and_send_requests" {
  command = apply

  assert {
    condition     = length(data.aws_iam_policy_document.detector.statement) == 2
    error_message = "the detector needs exactly two statements"
  }

  assert {
    condition = (data.aws_iam_policy_document.detector.statement[0].actions == toset(["logs:CreateLogStream", "logs:PutLogEvents"])
    && data.aws_iam_policy_document.detector.statement[0].resources == toset(["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/frs-detector:*"]))
    error_message = "the detector may write only to its own log group"
  }

  assert {
    condition = (data.aws_iam_policy_document.detector.statement[1].actions == toset(["sqs:SendMessage"])
    && data.aws_iam_policy_document.detector.statement[1].resources == toset(["arn:aws:sqs:eu-west-1:123456789012:frs-request"]))
    error_message = "the detector may only send to the request queue"
  }
}

run "recognizer_role_may_only_log_consume_and_respond" {
  command = apply

  assert {
    condition     = length(data.aws_iam_policy_document.recognizer.statement) == 3
    error_message = "the recognizer needs exactly three statements"
  }

  assert {
    condition     = data.aws_iam_policy_document.recognizer.statement[0].resources == toset(["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/frs-recognizer:*"])
    error_message = "the recognizer may write only to its own log group"
  }

  assert {
    condition = (data.aws_iam_policy_document.recognizer.statement[1].actions == toset(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"])
    && data.aws_iam_policy_document.recognizer.statement[1].resources == toset(["arn:aws:sqs:eu-west-1:123456789012:frs-request"]))
    error_message = "the recognizer may consume only the request queue, with exactly the actions the event source mapping needs"
  }

  assert {
    condition = (data.aws_iam_policy_document.recognizer.statement[2].actions == toset(["sqs:SendMessage"])
    && data.aws_iam_policy_document.recognizer.statement[2].resources == toset(["arn:aws:sqs:eu-west-1:123456789012:frs-response"]))
    error_message = "the recognizer may only send to the response queue"
  }
}

run "no_statement_uses_a_wildcard_resource" {
  command = apply

  assert {
    condition = alltrue(flatten([
      for doc in [data.aws_iam_policy_document.detector, data.aws_iam_policy_document.recognizer] : [
        for st in doc.statement : [for r in st.resources : r != "*" && !endswith(r, ":*:*")]
      ]
    ]))
    error_message = "execution roles must name exact resources"
  }
}

run "roles_trust_lambda_in_this_account_only" {
  command = apply

  assert {
    condition     = one(one(data.aws_iam_policy_document.lambda_assume.statement).principals).identifiers == toset(["lambda.amazonaws.com"])
    error_message = "only Lambda may assume the execution roles"
  }

  assert {
    condition     = one(one(data.aws_iam_policy_document.lambda_assume.statement).condition).values == tolist(["123456789012"])
    error_message = "the trust must be limited to this account (confused deputy)"
  }

  assert {
    condition     = aws_iam_role.detector.name == "frs-detector" && aws_iam_role.recognizer.name == "frs-recognizer"
    error_message = "one role per function"
  }
}

run "repository_is_immutable_scanned_and_expiring" {
  command = apply

  assert {
    condition     = aws_ecr_repository.this.image_tag_mutability == "IMMUTABLE"
    error_message = "tags must be immutable"
  }

  assert {
    condition     = aws_ecr_repository.this.image_scanning_configuration[0].scan_on_push
    error_message = "images must be scanned on push"
  }

  assert {
    condition     = [for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r.selection.tagStatus] == ["untagged", "any"]
    error_message = "the lifecycle policy must expire untagged images first and cap the rest"
  }

  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[1].selection.countNumber == 50
    error_message = "the default cap is 50 images"
  }
}

run "lambda_may_pull_only_for_this_stacks_functions" {
  command = apply

  assert {
    condition = one(one(data.aws_iam_policy_document.ecr_lambda_pull.statement).condition).values == tolist([
      "arn:aws:lambda:eu-west-1:123456789012:function:frs-detector",
      "arn:aws:lambda:eu-west-1:123456789012:function:frs-recognizer",
    ])
    error_message = "the repository policy must name the two functions"
  }

  assert {
    condition     = one(data.aws_iam_policy_document.ecr_lambda_pull.statement).actions == toset(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"])
    error_message = "Lambda needs only pull actions"
  }
}

run "no_ci_role_without_a_github_repository" {
  command = plan

  assert {
    condition     = length(aws_iam_role.github_release) == 0 && length(aws_iam_openid_connect_provider.github) == 0
    error_message = "the CI role is opt-in"
  }
}

run "ci_role_may_push_only_to_this_repository" {
  command = apply

  variables {
    github_repository = "acme/frs"
  }

  assert {
    condition     = data.aws_iam_policy_document.github_release[0].statement[0].actions == toset(["ecr:GetAuthorizationToken"])
    error_message = "the only unscoped action must be ECR login"
  }

  assert {
    condition     = data.aws_iam_policy_document.github_release[0].statement[1].resources == toset(["arn:aws:ecr:eu-west-1:123456789012:repository/frs"])
    error_message = "pushes must be limited to this repository"
  }

  assert {
    condition     = !contains(data.aws_iam_policy_document.github_release[0].statement[1].actions, "ecr:BatchDeleteImage")
    error_message = "the release may never delete images"
  }

  assert {
    condition = (tolist(one([for c in data.aws_iam_policy_document.github_release_assume[0].statement[0].condition : c if c.variable == "token.actions.githubusercontent.com:sub"]).values)
    == tolist(["repo:acme/frs:ref:refs/heads/main", "repo:acme/frs:ref:refs/tags/detector@*", "repo:acme/frs:ref:refs/tags/recognizer@*"]))
    error_message = "only main and version tags of this repository may assume the role"
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 1
    error_message = "the GitHub OIDC provider is created when none is given"
  }
}

run "an_existing_oidc_provider_is_reused" {
  command = apply

  variables {
    github_repository        = "acme/frs"
    github_oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 0
    error_message = "an account holds one GitHub provider; reuse it"
  }

  assert {
    condition     = one(data.aws_iam_policy_document.github_release_assume[0].statement[0].principals).identifiers == toset(["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"])
    error_message = "the trust must name the given provider"
  }
}

run "rejects_a_malformed_github_repository" {
  command = plan

  variables {
    github_repository = "not a repo"
  }

  expect_failures = [var.github_repository]
}
