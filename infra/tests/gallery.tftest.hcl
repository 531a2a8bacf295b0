# Plan/apply against a mocked AWS provider (tests/mocks/aws.tfmock.hcl): no credentials, no network.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  detector_image_digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
  recognizer_image_tag  = "recognizer-0.3.1"
  enroller_image_tag    = "enroller-0.1.0"
}

run "gallery_bucket_is_private_encrypted_and_versioned" {
  command = apply

  assert {
    condition     = aws_s3_bucket.gallery.bucket == "frs-gallery-123456789012-eu-west-1" && output.gallery_bucket == aws_s3_bucket.gallery.bucket
    error_message = "the bucket is named <prefix>-gallery-<account>-<region> and is an output"
  }

  assert {
    condition     = !aws_s3_bucket.gallery.force_destroy
    error_message = "destroy must not delete people's data unless asked to"
  }

  assert {
    condition     = one(aws_s3_bucket_ownership_controls.gallery.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled (BucketOwnerEnforced)"
  }

  assert {
    condition = (aws_s3_bucket_public_access_block.gallery.block_public_acls && aws_s3_bucket_public_access_block.gallery.block_public_policy
    && aws_s3_bucket_public_access_block.gallery.ignore_public_acls && aws_s3_bucket_public_access_block.gallery.restrict_public_buckets)
    error_message = "all four public access blocks must be on"
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.gallery.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    error_message = "objects must be encrypted at rest by default"
  }

  assert {
    condition     = one(aws_s3_bucket_versioning.gallery.versioning_configuration).status == "Enabled"
    error_message = "versioning must be on"
  }

  assert {
    condition = alltrue([for r in [aws_s3_bucket_ownership_controls.gallery, aws_s3_bucket_public_access_block.gallery, aws_s3_bucket_server_side_encryption_configuration.gallery,
    aws_s3_bucket_versioning.gallery, aws_s3_bucket_lifecycle_configuration.gallery, aws_s3_bucket_policy.gallery] : r.bucket == aws_s3_bucket.gallery.id])
    error_message = "every bucket setting must apply to the gallery bucket"
  }
}

run "noncurrent_versions_expire" {
  command = apply

  variables {
    gallery_noncurrent_version_expiry_days = 3
  }

  assert {
    condition     = one(one(aws_s3_bucket_lifecycle_configuration.gallery.rule).noncurrent_version_expiration).noncurrent_days == 3
    error_message = "noncurrent versions (face data of removed people) must expire after the configured days"
  }

  assert {
    condition     = one(aws_s3_bucket_lifecycle_configuration.gallery.rule).status == "Enabled"
    error_message = "the lifecycle rule must be enabled"
  }

  assert {
    condition     = one(one(aws_s3_bucket_lifecycle_configuration.gallery.rule).abort_incomplete_multipart_upload).days_after_initiation == 1
    error_message = "incomplete uploads must not linger"
  }
}

run "noncurrent_expiry_defaults_to_a_week" {
  command = plan

  assert {
    condition     = one(one(aws_s3_bucket_lifecycle_configuration.gallery.rule).noncurrent_version_expiration).noncurrent_days == 7
    error_message = "the default noncurrent-version expiry is 7 days"
  }
}

run "bucket_policy_denies_plain_http" {
  command = apply

  assert {
    condition     = one(data.aws_iam_policy_document.gallery_bucket.statement).effect == "Deny" && one(data.aws_iam_policy_document.gallery_bucket.statement).actions == toset(["s3:*"])
    error_message = "the bucket policy must deny every action"
  }

  assert {
    condition = one(data.aws_iam_policy_document.gallery_bucket.statement).resources == toset([
      "arn:aws:s3:::frs-gallery-123456789012-eu-west-1",
      "arn:aws:s3:::frs-gallery-123456789012-eu-west-1/*",
    ])
    error_message = "the deny must cover the bucket and its objects"
  }

  assert {
    condition = (one(one(data.aws_iam_policy_document.gallery_bucket.statement).condition).test == "Bool"
      && one(one(data.aws_iam_policy_document.gallery_bucket.statement).condition).variable == "aws:SecureTransport"
    && one(one(data.aws_iam_policy_document.gallery_bucket.statement).condition).values == tolist(["false"]))
    error_message = "the deny must apply to requests without TLS"
  }

  assert {
    condition     = one(one(data.aws_iam_policy_document.gallery_bucket.statement).principals).identifiers == toset(["*"])
    error_message = "the deny must apply to every principal"
  }

  assert {
    condition     = jsondecode(aws_s3_bucket_policy.gallery.policy).Id == "gallery-bucket" && aws_s3_bucket_policy.gallery.bucket == aws_s3_bucket.gallery.id
    error_message = "the TLS-only document must be the gallery bucket's policy"
  }
}

run "bucket_name_can_be_set" {
  command = plan

  variables {
    gallery_bucket_name = "acme-faces"
  }

  assert {
    condition     = aws_s3_bucket.gallery.bucket == "acme-faces" && aws_lambda_function.this["enroller"].environment[0].variables["FRS_GALLERY_STORE"] == "s3://acme-faces/gallery/"
    error_message = "an explicit bucket name must reach the bucket and the enroller"
  }
}

run "refuses_a_default_bucket_name_over_63_characters" {
  command = plan

  variables {
    name_prefix = "a-very-long-prefix-for-a-very-long-stack"
  }

  expect_failures = [aws_s3_bucket.gallery]
}

run "rejects_a_bucket_name_with_dots" {
  command = plan

  variables {
    gallery_bucket_name = "acme.faces"
  }

  expect_failures = [var.gallery_bucket_name]
}

run "rejects_a_zero_day_expiry" {
  command = plan

  variables {
    gallery_noncurrent_version_expiry_days = 0
  }

  expect_failures = [var.gallery_noncurrent_version_expiry_days]
}
