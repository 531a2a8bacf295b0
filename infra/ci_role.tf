# Optional: the role GitHub Actions assumes through OIDC to push images (release.yml). It may touch this
# repository only; ecr:GetAuthorizationToken is the one action ECR does not scope to a resource.
locals {
  github_release_enabled = var.github_repository != null
  github_oidc_provider_arn = (var.github_oidc_provider_arn != null ? var.github_oidc_provider_arn
  : one(aws_iam_openid_connect_provider.github[*].arn))
}

resource "aws_iam_openid_connect_provider" "github" {
  count = local.github_release_enabled && var.github_oidc_provider_arn == null ? 1 : 0

  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
  tags           = var.tags
}

data "aws_iam_policy_document" "github_release_assume" {
  count = local.github_release_enabled ? 1 : 0

  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }

    # Only main releases (the release workflow runs after CI passed on main, and its token carries
    # refs/heads/main) and the deploy environment's jobs; a tag push, any other branch or a fork never can.
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values = [
        "repo:${var.github_repository}:ref:refs/heads/main",
        "repo:${var.github_repository}:environment:deploy",
      ]
    }
  }
}

data "aws_iam_policy_document" "github_release" {
  count = local.github_release_enabled ? 1 : 0

  statement {
    sid       = "EcrLogin"
    effect    = "Allow"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid    = "PushAndTagThisRepository"
    effect = "Allow"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [aws_ecr_repository.this.arn]
  }
}

resource "aws_iam_role" "github_release" {
  count = local.github_release_enabled ? 1 : 0

  name               = "${var.name_prefix}-github-release"
  description        = "Assumed by ${var.github_repository}'s release workflow through GitHub OIDC to push FRS images."
  assume_role_policy = data.aws_iam_policy_document.github_release_assume[0].json
  tags               = var.tags
}

resource "aws_iam_role_policy" "github_release" {
  count = local.github_release_enabled ? 1 : 0

  name   = "frs-release"
  role   = aws_iam_role.github_release[0].id
  policy = data.aws_iam_policy_document.github_release[0].json
}
