# The root CI applies: one provider, one call of the module in ../. Settings live in terraform.tfvars, and
# the release script writes the image digests to release.auto.tfvars.json next to this file.
provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project   = "frs"
      ManagedBy = "terraform"
    }
  }
}

module "frs" {
  source = "../"

  name_prefix         = var.name_prefix
  request_queue_name  = var.request_queue_name
  response_queue_name = var.response_queue_name

  deploy_functions        = var.deploy_functions
  detector_image_digest   = var.detector_image_digest
  recognizer_image_digest = var.recognizer_image_digest
  enroller_image_digest   = var.enroller_image_digest
  detector_image_tag      = var.detector_image_tag
  recognizer_image_tag    = var.recognizer_image_tag
  enroller_image_tag      = var.enroller_image_tag
  architecture            = var.architecture
  recognizer_gallery      = var.recognizer_gallery

  detector_memory_size          = var.detector_memory_size
  detector_reserved_concurrency = var.detector_reserved_concurrency
  enroller_reserved_concurrency = var.enroller_reserved_concurrency

  function_url_authorization_type = var.function_url_authorization_type
  allow_public_function_url       = var.allow_public_function_url
  function_url_invoker_arns       = var.function_url_invoker_arns
  function_url_cors               = var.function_url_cors

  enroller_function_url_authorization_type = var.enroller_function_url_authorization_type
  allow_public_enroller_url                = var.allow_public_enroller_url
  enroller_function_url_invoker_arns       = var.enroller_function_url_invoker_arns
  enroller_function_url_cors               = var.enroller_function_url_cors

  gallery_bucket_name = var.gallery_bucket_name

  alarm_topic_arn = var.alarm_topic_arn
  alarm_emails    = var.alarm_emails

  github_repository        = var.github_repository
  github_oidc_provider_arn = var.github_oidc_provider_arn
}
