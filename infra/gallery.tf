# The managed gallery (issue 10): one private, versioned, encrypted bucket. The enroller owns the
# gallery/ prefix; the recognizer reads gallery/snapshot.json only (iam.tf).
resource "aws_s3_bucket" "gallery" {
  bucket        = local.gallery_bucket_name
  force_destroy = var.gallery_force_destroy
  tags          = var.tags

  lifecycle {
    precondition {
      condition     = length(local.gallery_bucket_name) <= 63
      error_message = "The default gallery bucket name \"${local.gallery_bucket_name}\" is longer than 63 characters; set gallery_bucket_name or a shorter name_prefix."
    }
  }
}

# No ACLs: the bucket owner owns every object and access is decided by IAM and the bucket policy alone.
resource "aws_s3_bucket_ownership_controls" "gallery" {
  bucket = aws_s3_bucket.gallery.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "gallery" {
  bucket = aws_s3_bucket.gallery.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# SSE-S3: the roles need no KMS grants, and an object is unreadable without the bucket's IAM permissions
# anyway.
resource "aws_s3_bucket_server_side_encryption_configuration" "gallery" {
  bucket = aws_s3_bucket.gallery.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "gallery" {
  bucket = aws_s3_bucket.gallery.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "gallery" {
  bucket = aws_s3_bucket.gallery.id

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    # Overwritten snapshots and deleted thumbnails still hold face data of people who may have been
    # removed: they are kept only long enough to restore a bad write.
    noncurrent_version_expiration {
      noncurrent_days = var.gallery_noncurrent_version_expiry_days
    }

    expiration {
      expired_object_delete_marker = true
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  # Versioning must be on before a noncurrent-version rule means anything.
  depends_on = [aws_s3_bucket_versioning.gallery]
}

data "aws_iam_policy_document" "gallery_bucket" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.gallery.arn,
      "${aws_s3_bucket.gallery.arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "gallery" {
  bucket = aws_s3_bucket.gallery.id
  policy = data.aws_iam_policy_document.gallery_bucket.json

  # Concurrent PutBucketPolicy and PutPublicAccessBlock calls on one bucket can fail with OperationAborted.
  depends_on = [aws_s3_bucket_public_access_block.gallery]
}
