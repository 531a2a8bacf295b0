# Plan/apply against a mocked AWS provider (tests/mocks/aws.tfmock.hcl): no credentials, no network.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  detector_image_digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
  recognizer_image_tag  = "recognizer-0.3.1"
  enroller_image_tag    = "enroller-0.1.0"
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

run "recognizer_role_may_only_log_consume_respond_and_read_the_snapshot" {
  command = apply

  assert {
    condition     = length(data.aws_iam_policy_document.recognizer.statement) == 5
    error_message = "the recognizer needs exactly five statements with the managed gallery"
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

  assert {
    condition = (data.aws_iam_policy_document.recognizer.statement[3].actions == toset(["s3:GetObject"])
    && data.aws_iam_policy_document.recognizer.statement[3].resources == toset(["arn:aws:s3:::frs-gallery-123456789012-eu-west-1/gallery/snapshot.json"]))
    error_message = "the recognizer may read the snapshot key and nothing else in S3"
  }

  assert {
    condition = (data.aws_iam_policy_document.recognizer.statement[4].actions == toset(["s3:ListBucket"])
      && data.aws_iam_policy_document.recognizer.statement[4].resources == toset(["arn:aws:s3:::frs-gallery-123456789012-eu-west-1"])
      && one(data.aws_iam_policy_document.recognizer.statement[4].condition).test == "StringEquals"
    && tolist(one(data.aws_iam_policy_document.recognizer.statement[4].condition).values) == tolist(["gallery/snapshot.json"]))
    error_message = "the recognizer may list only the snapshot's own key, so a missing snapshot is a 404"
  }
}

run "recognizer_reads_exactly_the_s3_gallery_it_is_given" {
  command = apply

  variables {
    recognizer_gallery = "s3://shared-galleries/site-7/snapshot.json"
  }

  assert {
    condition     = one([for st in data.aws_iam_policy_document.recognizer.statement : st.resources if st.sid == "ReadGallerySnapshot"]) == toset(["arn:aws:s3:::shared-galleries/site-7/snapshot.json"])
    error_message = "an s3:// gallery elsewhere must be readable, and only that object"
  }
}

run "recognizer_gets_no_s3_access_for_a_gallery_in_the_image" {
  command = apply

  variables {
    recognizer_gallery = "/var/task/gallery/gallery.json"
  }

  assert {
    condition     = length(data.aws_iam_policy_document.recognizer.statement) == 3 && !contains(flatten([for st in data.aws_iam_policy_document.recognizer.statement : tolist(st.actions)]), "s3:GetObject")
    error_message = "a gallery baked into the image needs no S3 permission"
  }
}

run "enroller_role_may_only_log_and_manage_the_gallery_prefix" {
  command = apply

  assert {
    condition     = length(data.aws_iam_policy_document.enroller.statement) == 3
    error_message = "the enroller needs exactly three statements"
  }

  assert {
    condition     = data.aws_iam_policy_document.enroller.statement[0].resources == toset(["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/frs-enroller:*"])
    error_message = "the enroller may write only to its own log group"
  }

  assert {
    condition = (data.aws_iam_policy_document.enroller.statement[1].actions == toset(["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectVersion", "s3:DeleteObjectVersion"])
    && data.aws_iam_policy_document.enroller.statement[1].resources == toset(["arn:aws:s3:::frs-gallery-123456789012-eu-west-1/gallery/*"]))
    error_message = "the enroller may read, write and delete (every version of) objects under gallery/ only"
  }

  assert {
    condition = (data.aws_iam_policy_document.enroller.statement[2].actions == toset(["s3:ListBucket", "s3:ListBucketVersions"])
    && data.aws_iam_policy_document.enroller.statement[2].resources == toset(["arn:aws:s3:::frs-gallery-123456789012-eu-west-1"]))
    error_message = "the enroller may list the gallery bucket and its versions"
  }

  assert {
    condition = (one(data.aws_iam_policy_document.enroller.statement[2].condition).test == "StringLike"
      && one(data.aws_iam_policy_document.enroller.statement[2].condition).variable == "s3:prefix"
    && one(data.aws_iam_policy_document.enroller.statement[2].condition).values == tolist(["gallery/*"]))
    error_message = "listing must be limited to the gallery/ prefix"
  }

  assert {
    condition     = !contains(flatten([for st in data.aws_iam_policy_document.enroller.statement : tolist(st.actions)]), "sqs:SendMessage")
    error_message = "the enroller touches no queue"
  }
}

run "each_role_gets_its_own_policy" {
  command = apply

  assert {
    condition     = { for k, p in aws_iam_role_policy.this : k => p.role } == { for k, r in aws_iam_role.this : k => r.id }
    error_message = "one inline policy per role"
  }

  assert {
    condition     = ({ for k, p in aws_iam_role_policy.this : k => jsondecode(p.policy).Id } == { detector = "detector", enroller = "enroller", recognizer = "recognizer" })
    error_message = "each role must carry its own function's document"
  }

  assert {
    condition     = alltrue([for r in aws_iam_role.this : jsondecode(r.assume_role_policy).Id == "lambda-assume"])
    error_message = "every role, the enroller's included, must use the Lambda-in-this-account trust"
  }
}

run "no_statement_uses_a_wildcard_resource" {
  command = apply

  assert {
    condition = alltrue(flatten([
      for doc in [data.aws_iam_policy_document.detector, data.aws_iam_policy_document.recognizer, data.aws_iam_policy_document.enroller] : [
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
    condition     = { for k, r in aws_iam_role.this : k => r.name } == { detector = "frs-detector", enroller = "frs-enroller", recognizer = "frs-recognizer" }
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
    condition     = [for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r.selection.tagStatus] == ["untagged", "tagged", "tagged", "tagged", "any"]
    error_message = "the lifecycle policy must expire untagged images first, then protect function versions, then cap the rest"
  }

  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[4].selection.countNumber == 50
    error_message = "the default cap is 50 images"
  }
}

run "lifecycle_never_expires_an_image_a_function_version_tag_points_to" {
  command = apply

  # ECR: an image matching a higher-priority rule's tag selection cannot be expired by a lower one, so
  # every function's version-tag prefix needs a rule above the "any" rule that keeps (practically) all.
  assert {
    condition = [for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r.selection.tagPrefixList if r.selection.tagStatus == "tagged"] == [
      ["detector-"], ["enroller-"], ["recognizer-"],
    ]
    error_message = "each function's release tag (functionTag in @frs/release: <fn>-<version>) needs its own protecting rule"
  }

  assert {
    condition = alltrue([for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r.selection.countType == "imageCountMoreThan" && r.selection.countNumber >= 9999
    if r.selection.tagStatus == "tagged"])
    error_message = "protecting rules must keep at least 9,999 images per function"
  }

  assert {
    condition = alltrue([for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r.rulePriority < one([for a in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : a.rulePriority if a.selection.tagStatus == "any"])
    if r.selection.tagStatus == "tagged"])
    error_message = "protecting rules must outrank the \"any\" rule"
  }

  assert {
    condition     = length(distinct([for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r.rulePriority])) == 5
    error_message = "rule priorities must be unique"
  }
}

run "lambda_may_pull_only_for_this_stacks_functions" {
  command = apply

  assert {
    condition = one(one(data.aws_iam_policy_document.ecr_lambda_pull.statement).condition).values == tolist([
      "arn:aws:lambda:eu-west-1:123456789012:function:frs-detector",
      "arn:aws:lambda:eu-west-1:123456789012:function:frs-enroller",
      "arn:aws:lambda:eu-west-1:123456789012:function:frs-recognizer",
    ])
    error_message = "the repository policy must name the three functions"
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
    == tolist(["repo:acme/frs:ref:refs/heads/main", "repo:acme/frs:environment:deploy"]))
    error_message = "only main and the deploy environment of this repository may assume the role, never a tag"
  }

  assert {
    condition     = one([for c in data.aws_iam_policy_document.github_release_assume[0].statement[0].condition : c if c.variable == "token.actions.githubusercontent.com:sub"]).test == "StringEquals"
    error_message = "the subject must match exactly: no wildcard may let another ref in"
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
