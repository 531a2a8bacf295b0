# Thin root that applies the module against a moto_server on loopback (see ../../test.sh). Credentials are
# fake and every endpoint points at moto, so nothing here can reach AWS.
terraform {
  required_version = ">= 1.9.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80.0, < 7.0.0"
    }
  }
}

variable "endpoint" {
  type        = string
  description = "moto_server URL, e.g. http://127.0.0.1:5000."

  validation {
    condition     = can(regex("^http://(127\\.0\\.0\\.1|localhost):[0-9]+$", var.endpoint))
    error_message = "endpoint must be a loopback moto_server URL."
  }
}

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  # moto serves every bucket under one host.
  s3_use_path_style = true

  endpoints {
    cloudwatch = var.endpoint
    dynamodb   = var.endpoint
    ecr        = var.endpoint
    iam        = var.endpoint
    lambda     = var.endpoint
    logs       = var.endpoint
    s3         = var.endpoint
    sns        = var.endpoint
    sqs        = var.endpoint
    sts        = var.endpoint
  }
}

module "frs" {
  source = "../.."

  name_prefix         = "frs-moto"
  request_queue_name  = "cam42-req-queue"
  response_queue_name = "cam42-resp-queue"

  detector_image_digest = "sha256:${sha256("detector")}"
  recognizer_image_tag  = "recognizer-0.1.0"
  enroller_image_tag    = "enroller-0.1.0"

  recognizer_timeout                   = 60
  event_source_batching_window_seconds = 2
  event_source_batch_size              = 5
  event_source_maximum_concurrency     = 4

  function_url_cors = {
    allow_origins = ["https://example.test"]
  }
  function_url_invoker_arns          = ["arn:aws:iam::210987654321:role/camera-uploader"]
  enroller_function_url_invoker_arns = ["arn:aws:iam::123456789012:role/frs-operator"]

  alarm_emails          = ["ops@example.test"]
  gallery_force_destroy = true

  ecr_force_delete  = true
  github_repository = "acme/frs"

  # moto 5.2 silently drops RedriveAllowPolicy, so the provider would wait forever for it to appear; the
  # mocked tests cover the policy instead.
  restrict_dlq_sources = false
}

output "frs" {
  description = "Every output of the module, read back by check.py."
  value       = module.frs
}
