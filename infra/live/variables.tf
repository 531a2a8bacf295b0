variable "region" {
  type        = string
  description = "AWS region to deploy to."
  default     = "eu-west-1"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name; see the module's variable of the same name."
  default     = "frs"
  nullable    = false
}

variable "request_queue_name" {
  type        = string
  description = "Request queue name; null means <name_prefix>-request."
  default     = null
}

variable "response_queue_name" {
  type        = string
  description = "Response queue name; null means <name_prefix>-response."
  default     = null
}

variable "deploy_functions" {
  type        = bool
  description = "False for the first apply of an empty account (creates the repository before any image exists)."
  default     = true
  nullable    = false
}

variable "detector_image_digest" {
  type        = string
  description = "Detector image digest, written by `pnpm --filter @frs/release release` into release.auto.tfvars.json."
  default     = null
}

variable "recognizer_image_digest" {
  type        = string
  description = "Recognizer image digest, written by the release script into release.auto.tfvars.json."
  default     = null
}

variable "detector_image_tag" {
  type        = string
  description = "Detector image tag (detector-<version>); used only while detector_image_digest is null, e.g. to plan a version that is not released yet."
  default     = null
}

variable "recognizer_image_tag" {
  type        = string
  description = "Recognizer image tag (recognizer-<version>); used only while recognizer_image_digest is null."
  default     = null
}

variable "enroller_image_digest" {
  type        = string
  description = "Enroller image digest, written by the release script into release.auto.tfvars.json."
  default     = null
}

variable "enroller_image_tag" {
  type        = string
  description = "Enroller image tag (enroller-<version>); used only while enroller_image_digest is null."
  default     = null
}

variable "architecture" {
  type        = string
  description = "Architecture the image was built for (x86_64 or arm64)."
  default     = "x86_64"
  nullable    = false
}

variable "recognizer_gallery" {
  type        = string
  description = "FRS_GALLERY; null (default) reads the managed gallery the enroller writes (s3://<gallery bucket>/gallery/snapshot.json). Otherwise s3://bucket/key, a path inside the image or an https URL."
  default     = null
}

variable "detector_memory_size" {
  type        = number
  description = "Detector memory in MB (1,769 MB = 1 vCPU, the measured sweet spot)."
  default     = 1769
  nullable    = false
}

variable "detector_reserved_concurrency" {
  type        = number
  description = "Detector concurrency ceiling (and reservation); -1 for none."
  default     = 10
  nullable    = false
}

variable "enroller_reserved_concurrency" {
  type        = number
  description = "Enroller concurrency ceiling (and reservation); -1 for none."
  default     = 2
  nullable    = false
}

variable "function_url_authorization_type" {
  type        = string
  description = "AWS_IAM (default) or NONE; NONE also needs allow_public_function_url = true."
  default     = "AWS_IAM"
  nullable    = false
}

variable "allow_public_function_url" {
  type        = bool
  description = "Acknowledge that a NONE Function URL is public."
  default     = false
  nullable    = false
}

variable "function_url_invoker_arns" {
  type        = list(string)
  description = "Principals allowed to call the AWS_IAM Function URL."
  default     = []
  nullable    = false
}

variable "function_url_cors" {
  type = object({
    allow_origins     = list(string)
    allow_methods     = optional(list(string), ["POST"])
    allow_headers     = optional(list(string), ["content-type"])
    expose_headers    = optional(list(string), [])
    allow_credentials = optional(bool, false)
    max_age           = optional(number, 300)
  })
  description = "CORS of the Function URL; null disables it."
  default     = null
}

variable "github_repository" {
  type        = string
  description = "\"owner/name\" whose release workflow may push images through OIDC; null creates no CI role."
  default     = null
}

variable "github_oidc_provider_arn" {
  type        = string
  description = "Existing GitHub OIDC provider ARN; null creates one."
  default     = null
}

variable "enroller_function_url_authorization_type" {
  type        = string
  description = "AWS_IAM (default) or NONE for the enrolment API; NONE also needs allow_public_enroller_url = true."
  default     = "AWS_IAM"
  nullable    = false
}

variable "allow_public_enroller_url" {
  type        = bool
  description = "Acknowledge that a NONE enroller URL lets anyone change the gallery."
  default     = false
  nullable    = false
}

variable "enroller_function_url_invoker_arns" {
  type        = list(string)
  description = "Principals allowed to call the AWS_IAM enroller URL."
  default     = []
  nullable    = false
}

variable "enroller_function_url_cors" {
  type = object({
    allow_origins     = list(string)
    allow_methods     = optional(list(string), ["GET", "POST", "DELETE"])
    allow_headers     = optional(list(string), ["content-type"])
    expose_headers    = optional(list(string), [])
    allow_credentials = optional(bool, false)
    max_age           = optional(number, 300)
  })
  description = "CORS of the enroller URL (e.g. for the console); null disables it."
  default     = null
}

variable "gallery_bucket_name" {
  type        = string
  description = "Gallery bucket name; null means <name_prefix>-gallery-<account>-<region>."
  default     = null
}

variable "alarm_topic_arn" {
  type        = string
  description = "Existing SNS topic the alarms notify; null creates one when alarm_emails is set."
  default     = null
}

variable "alarm_emails" {
  type        = list(string)
  description = "Addresses subscribed to the alarm topic the module creates."
  default     = []
  nullable    = false
}
