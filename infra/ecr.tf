resource "aws_ecr_repository" "this" {
  name                 = local.repository_name
  image_tag_mutability = "IMMUTABLE"
  force_delete         = var.ecr_force_delete

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "AES256"
  }

  tags = var.tags
}

# ECR expires an image through at most one rule, and an image that matches a higher-priority rule's tag
# selection can never be expired by a lower-priority one. So each function's version-tag prefix gets a
# rule that matches its images but keeps 9,999 of them, and the final "any" rule can only expire images
# no function version points to. A deployed function always runs an image a version tag points to
# (the release resolves digests from those tags), so a running image is never deleted.
locals {
  ecr_protected_tag_prefixes = sort([for fn in local.function_keys : "${fn}-"])
  ecr_keep_count             = 9999
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name

  policy = jsonencode({
    rules = concat(
      [
        {
          rulePriority = 1
          description  = "Expire untagged images left by interrupted pushes"
          selection = {
            tagStatus   = "untagged"
            countType   = "sinceImagePushed"
            countUnit   = "days"
            countNumber = var.ecr_untagged_expiry_days
          }
          action = { type = "expire" }
        },
      ],
      [
        for i, prefix in local.ecr_protected_tag_prefixes : {
          rulePriority = 10 + i
          description  = "Keep every image a ${prefix}<version> tag points to"
          selection = {
            tagStatus     = "tagged"
            tagPrefixList = [prefix]
            countType     = "imageCountMoreThan"
            countNumber   = local.ecr_keep_count
          }
          action = { type = "expire" }
        }
      ],
      [
        {
          # ECR requires the "any" rule to carry the lowest priority.
          rulePriority = 100
          description  = "Keep only the newest ${var.ecr_max_tagged_images} images among those no function version points to"
          selection = {
            tagStatus   = "any"
            countType   = "imageCountMoreThan"
            countNumber = var.ecr_max_tagged_images
          }
          action = { type = "expire" }
        },
      ],
    )
  })
}

# Lambda pulls the image with the service principal; limit that to this stack's functions.
data "aws_iam_policy_document" "ecr_lambda_pull" {
  statement {
    sid     = "LambdaPull"
    effect  = "Allow"
    actions = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }

    condition {
      test     = "StringLike"
      variable = "aws:sourceArn"
      values   = [for fn in sort(tolist(local.function_keys)) : local.function_arns[fn]]
    }
  }
}

resource "aws_ecr_repository_policy" "this" {
  repository = aws_ecr_repository.this.name
  policy     = data.aws_iam_policy_document.ecr_lambda_pull.json
}
