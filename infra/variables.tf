# ---------------------------------------------------------------------------------------------------------
# Naming
# ---------------------------------------------------------------------------------------------------------

variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name (functions, roles, log groups, default queue and repository names)."
  default     = "frs"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name_prefix))
    error_message = "name_prefix must be 2-41 characters of lowercase letters, digits and '-', starting with a letter."
  }
}

variable "request_queue_name" {
  type        = string
  description = "Name of the request queue (detector -> recognizer). Null means \"<name_prefix>-request\"; set e.g. \"<id>-req-queue\" to match existing clients."
  default     = null

  validation {
    condition     = var.request_queue_name == null || can(regex("^[A-Za-z0-9_-]{1,76}$", var.request_queue_name))
    error_message = "request_queue_name must be 1-76 characters of letters, digits, '-' or '_' (4 characters are kept for the \"-dlq\" suffix)."
  }
}

variable "response_queue_name" {
  type        = string
  description = "Name of the response queue that clients poll for results. Null means \"<name_prefix>-response\"; set e.g. \"<id>-resp-queue\" to match existing clients."
  default     = null

  validation {
    condition     = var.response_queue_name == null || can(regex("^[A-Za-z0-9_-]{1,76}$", var.response_queue_name))
    error_message = "response_queue_name must be 1-76 characters of letters, digits, '-' or '_' (4 characters are kept for the \"-dlq\" suffix)."
  }
}

variable "ecr_repository_name" {
  type        = string
  description = "Name of the ECR repository holding the single image both functions run. Null means name_prefix."
  default     = null

  validation {
    condition     = var.ecr_repository_name == null || can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", var.ecr_repository_name))
    error_message = "ecr_repository_name must be a valid ECR repository name (lowercase, digits, '.', '_', '-', '/')."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every taggable resource."
  default     = {}
  nullable    = false
}

# ---------------------------------------------------------------------------------------------------------
# Container registry
# ---------------------------------------------------------------------------------------------------------

variable "ecr_untagged_expiry_days" {
  type        = number
  description = "Untagged images (left behind by interrupted pushes) are deleted after this many days."
  default     = 7
  nullable    = false

  validation {
    condition     = var.ecr_untagged_expiry_days >= 1 && floor(var.ecr_untagged_expiry_days) == var.ecr_untagged_expiry_days
    error_message = "ecr_untagged_expiry_days must be a whole number >= 1."
  }
}

variable "ecr_max_tagged_images" {
  type        = number
  description = "Images that no function version tag (detector-*, recognizer-*, enroller-*) points to, e.g. sha-<commit> builds whose versions were already released, are expired beyond this many images (counted over the whole repository, newest first). Images carrying a function version tag are never expired by the lifecycle policy."
  default     = 50
  nullable    = false

  validation {
    condition     = var.ecr_max_tagged_images >= 5 && floor(var.ecr_max_tagged_images) == var.ecr_max_tagged_images
    error_message = "ecr_max_tagged_images must be a whole number >= 5 so that a rollback target always survives."
  }
}

variable "ecr_force_delete" {
  type        = bool
  description = "Let `terraform destroy` delete the repository while it still holds images. Leave false in production."
  default     = false
  nullable    = false
}

# ---------------------------------------------------------------------------------------------------------
# Functions (one image, three commands, versioned separately)
# ---------------------------------------------------------------------------------------------------------

variable "deploy_functions" {
  type        = bool
  description = "Create the functions, Function URL and event source mapping. Set false for the very first apply of an empty account, when the repository exists but holds no image yet."
  default     = true
  nullable    = false
}

variable "detector_image_digest" {
  type        = string
  description = "Digest (sha256:...) of the image the detector runs. Preferred over detector_image_tag: a digest cannot move. Written by the release script into release.auto.tfvars.json."
  default     = null

  validation {
    condition     = var.detector_image_digest == null || can(regex("^sha256:[0-9a-f]{64}$", var.detector_image_digest))
    error_message = "detector_image_digest must look like sha256:<64 lowercase hex digits>."
  }
}

variable "detector_image_tag" {
  type        = string
  description = "Tag of the image the detector runs (e.g. \"detector-0.2.0\"); used only when detector_image_digest is null."
  default     = null

  validation {
    condition     = var.detector_image_tag == null || can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.detector_image_tag))
    error_message = "detector_image_tag must be a valid image tag (letters, digits, '_', '.', '-'; at most 128 characters)."
  }
}

variable "recognizer_image_digest" {
  type        = string
  description = "Digest (sha256:...) of the image the recognizer runs. Preferred over recognizer_image_tag. Written by the release script into release.auto.tfvars.json."
  default     = null

  validation {
    condition     = var.recognizer_image_digest == null || can(regex("^sha256:[0-9a-f]{64}$", var.recognizer_image_digest))
    error_message = "recognizer_image_digest must look like sha256:<64 lowercase hex digits>."
  }
}

variable "recognizer_image_tag" {
  type        = string
  description = "Tag of the image the recognizer runs (e.g. \"recognizer-0.3.1\"); used only when recognizer_image_digest is null."
  default     = null

  validation {
    condition     = var.recognizer_image_tag == null || can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.recognizer_image_tag))
    error_message = "recognizer_image_tag must be a valid image tag (letters, digits, '_', '.', '-'; at most 128 characters)."
  }
}

variable "enroller_image_digest" {
  type        = string
  description = "Digest (sha256:...) of the image the enroller runs. Preferred over enroller_image_tag. Written by the release script into release.auto.tfvars.json."
  default     = null

  validation {
    condition     = var.enroller_image_digest == null || can(regex("^sha256:[0-9a-f]{64}$", var.enroller_image_digest))
    error_message = "enroller_image_digest must look like sha256:<64 lowercase hex digits>."
  }
}

variable "enroller_image_tag" {
  type        = string
  description = "Tag of the image the enroller runs (e.g. \"enroller-0.1.0\"); used only when enroller_image_digest is null."
  default     = null

  validation {
    condition     = var.enroller_image_tag == null || can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.enroller_image_tag))
    error_message = "enroller_image_tag must be a valid image tag (letters, digits, '_', '.', '-'; at most 128 characters)."
  }
}

variable "architecture" {
  type        = string
  description = "CPU architecture of the image, shared by all functions because they run the same image."
  default     = "x86_64"
  nullable    = false

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be \"x86_64\" or \"arm64\"."
  }
}

variable "detector_memory_size" {
  type        = number
  description = "Detector memory in MB. Lambda allocates CPU in proportion (one full vCPU at 1,769 MB) and MTCNN is CPU-bound; a 720p frame with one face takes 91 ms on 1 vCPU and 75 ms on 2, so 1,769 MB is the cheaper per frame (see infra/README.md, Sizing)."
  default     = 1769
  nullable    = false

  validation {
    condition     = var.detector_memory_size >= 128 && var.detector_memory_size <= 10240 && floor(var.detector_memory_size) == var.detector_memory_size
    error_message = "detector_memory_size must be a whole number of MB between 128 and 10240."
  }
}

variable "detector_timeout" {
  type        = number
  description = "Detector timeout in seconds. The Function URL caller waits for it, so keep it short."
  default     = 30
  nullable    = false

  validation {
    condition     = var.detector_timeout >= 1 && var.detector_timeout <= 900 && floor(var.detector_timeout) == var.detector_timeout
    error_message = "detector_timeout must be a whole number of seconds between 1 and 900."
  }
}

variable "detector_reserved_concurrency" {
  type        = number
  description = "Reserved concurrent executions of the detector, which is also its ceiling: it bounds the bill and the queue inflow a flood of Function URL requests can cause (requests above it get 429). -1 leaves it unreserved and unbounded, 0 disables the function. Lambda keeps 100 of the account's concurrency unreserved, so reserving needs an account limit of at least 100 + the sum reserved."
  default     = 10
  nullable    = false

  validation {
    condition     = var.detector_reserved_concurrency >= -1 && floor(var.detector_reserved_concurrency) == var.detector_reserved_concurrency
    error_message = "detector_reserved_concurrency must be -1 (unreserved) or a whole number >= 0."
  }
}

variable "recognizer_memory_size" {
  type        = number
  description = "Recognizer memory in MB. One vCPU (1,769 MB) runs its single onnxruntime thread: one face embeds and matches in ≈ 8 ms, and a 10,000-person × 5-photo gallery takes ≈ 360 MiB; more memory buys CPU it cannot use (see infra/README.md, Sizing)."
  default     = 1769
  nullable    = false

  validation {
    condition     = var.recognizer_memory_size >= 128 && var.recognizer_memory_size <= 10240 && floor(var.recognizer_memory_size) == var.recognizer_memory_size
    error_message = "recognizer_memory_size must be a whole number of MB between 128 and 10240."
  }
}

variable "recognizer_timeout" {
  type        = number
  description = "Recognizer timeout in seconds. The request queue's visibility timeout is derived from it."
  default     = 60
  nullable    = false

  validation {
    condition     = var.recognizer_timeout >= 1 && var.recognizer_timeout <= 900 && floor(var.recognizer_timeout) == var.recognizer_timeout
    error_message = "recognizer_timeout must be a whole number of seconds between 1 and 900."
  }
}

variable "recognizer_reserved_concurrency" {
  type        = number
  description = "Reserved concurrent executions of the recognizer; -1 (default) leaves it unreserved, because event_source_maximum_concurrency already caps how many recognizers the request queue runs and reserving would only take from the account pool. When set, it must be at least event_source_maximum_concurrency."
  default     = -1
  nullable    = false

  validation {
    condition     = var.recognizer_reserved_concurrency >= -1 && floor(var.recognizer_reserved_concurrency) == var.recognizer_reserved_concurrency
    error_message = "recognizer_reserved_concurrency must be -1 (unreserved) or a whole number >= 0."
  }
}

variable "enroller_memory_size" {
  type        = number
  description = "Enroller memory in MB; it runs MTCNN and the embedder on each photo, so it is sized like the detector (1 vCPU at 1,769 MB)."
  default     = 1769
  nullable    = false

  validation {
    condition     = var.enroller_memory_size >= 128 && var.enroller_memory_size <= 10240 && floor(var.enroller_memory_size) == var.enroller_memory_size
    error_message = "enroller_memory_size must be a whole number of MB between 128 and 10240."
  }
}

variable "enroller_timeout" {
  type        = number
  description = "Enroller timeout in seconds. The Function URL caller waits for it."
  default     = 30
  nullable    = false

  validation {
    condition     = var.enroller_timeout >= 1 && var.enroller_timeout <= 900 && floor(var.enroller_timeout) == var.enroller_timeout
    error_message = "enroller_timeout must be a whole number of seconds between 1 and 900."
  }
}

variable "enroller_reserved_concurrency" {
  type        = number
  description = "Reserved concurrent executions of the enroller, also its ceiling: enrolment is an operator task, and every concurrent write to the one gallery snapshot is a conditional-write retry for the others. -1 leaves it unreserved, 0 disables the enrolment API."
  default     = 2
  nullable    = false

  validation {
    condition     = var.enroller_reserved_concurrency >= -1 && floor(var.enroller_reserved_concurrency) == var.enroller_reserved_concurrency
    error_message = "enroller_reserved_concurrency must be -1 (unreserved) or a whole number >= 0."
  }
}

variable "log_level" {
  type        = string
  description = "LOG_LEVEL of every function."
  default     = "info"
  nullable    = false

  validation {
    condition     = contains(["trace", "debug", "info", "warn", "error", "fatal", "silent"], var.log_level)
    error_message = "log_level must be one of trace, debug, info, warn, error, fatal, silent."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Retention of every function's CloudWatch log group, in days."
  default     = 30
  nullable    = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "models_dir" {
  type        = string
  description = "FRS_MODELS_DIR of every function; null keeps the image's built-in default."
  default     = null

  validation {
    condition     = var.models_dir == null || can(regex("^/", var.models_dir))
    error_message = "models_dir must be an absolute path inside the image."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Detector settings (null keeps the application default)
# ---------------------------------------------------------------------------------------------------------

variable "detector_max_body_bytes" {
  type        = number
  description = "FRS_MAX_BODY_BYTES: largest accepted request body. A Function URL rejects payloads above 6 MB anyway."
  default     = null

  validation {
    condition     = var.detector_max_body_bytes == null || (coalesce(var.detector_max_body_bytes, 0) >= 1024 && coalesce(var.detector_max_body_bytes, 0) <= 6291456)
    error_message = "detector_max_body_bytes must be between 1024 and 6291456 (the Function URL payload limit)."
  }
}

variable "detector_max_pixels" {
  type        = number
  description = "FRS_MAX_PIXELS: largest decoded image (width x height) the detector accepts."
  default     = null

  validation {
    condition     = var.detector_max_pixels == null || coalesce(var.detector_max_pixels, 0) >= 1
    error_message = "detector_max_pixels must be a positive number."
  }
}

variable "detector_min_face_size" {
  type        = number
  description = "FRS_MIN_FACE_SIZE: smallest face, in pixels, MTCNN searches for."
  default     = null

  validation {
    condition     = var.detector_min_face_size == null || coalesce(var.detector_min_face_size, 0) >= 12
    error_message = "detector_min_face_size must be at least 12 (the P-Net window)."
  }
}

variable "detector_max_faces" {
  type        = number
  description = "FRS_MAX_FACES: most faces forwarded per image."
  default     = null

  validation {
    condition     = var.detector_max_faces == null || coalesce(var.detector_max_faces, 0) >= 1
    error_message = "detector_max_faces must be at least 1."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Enroller settings (null keeps the application default)
# ---------------------------------------------------------------------------------------------------------

variable "enroller_max_body_bytes" {
  type        = number
  description = "FRS_MAX_BODY_BYTES of the enroller: largest accepted request body (a base64 photo in JSON). A Function URL rejects payloads above 6 MB anyway."
  default     = null

  validation {
    condition     = var.enroller_max_body_bytes == null || (coalesce(var.enroller_max_body_bytes, 0) >= 1024 && coalesce(var.enroller_max_body_bytes, 0) <= 6291456)
    error_message = "enroller_max_body_bytes must be between 1024 and 6291456 (the Function URL payload limit)."
  }
}

variable "enroller_max_pixels" {
  type        = number
  description = "FRS_MAX_PIXELS of the enroller: largest decoded photo (width x height) it accepts."
  default     = null

  validation {
    condition     = var.enroller_max_pixels == null || coalesce(var.enroller_max_pixels, 0) >= 1
    error_message = "enroller_max_pixels must be a positive number."
  }
}

variable "enroller_min_face_size" {
  type        = number
  description = "FRS_MIN_FACE_SIZE of the enroller: smallest face, in pixels, MTCNN searches for in an enrolment photo."
  default     = null

  validation {
    condition     = var.enroller_min_face_size == null || coalesce(var.enroller_min_face_size, 0) >= 12
    error_message = "enroller_min_face_size must be at least 12 (the P-Net window)."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Recognizer settings
# ---------------------------------------------------------------------------------------------------------

variable "recognizer_gallery" {
  type        = string
  description = "FRS_GALLERY: the gallery the recognizer matches against. Null (default) means the managed gallery, s3://<gallery bucket>/gallery/snapshot.json, which the enroller writes. Otherwise an s3://bucket/key (the recognizer's role may then read exactly that object), a path inside the image, or an https URL. Not sensitive on purpose, so plans show where the gallery comes from: presigned URLs, which carry credentials and expire within 7 days, are refused."
  default     = null

  validation {
    condition     = var.recognizer_gallery == null || can(regex("^(/|https://|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+)", var.recognizer_gallery))
    error_message = "recognizer_gallery must be s3://bucket/key, an absolute path inside the image or an https:// URL."
  }

  validation {
    condition     = var.recognizer_gallery == null || !can(regex("(?i)[?&]x-amz-(signature|credential|security-token)=", coalesce(var.recognizer_gallery, "/")))
    error_message = "recognizer_gallery must not be a presigned URL (it expires and puts credentials into the plan and state); use the managed gallery (null) or s3://bucket/key."
  }
}

variable "recognizer_gallery_refresh_seconds" {
  type        = number
  description = "FRS_GALLERY_REFRESH_SECONDS: the recognizer re-reads the gallery (a conditional GET) at most this often between batches; null keeps the application default (10 s)."
  default     = null

  validation {
    condition     = var.recognizer_gallery_refresh_seconds == null || (coalesce(var.recognizer_gallery_refresh_seconds, 0) >= 1 && coalesce(var.recognizer_gallery_refresh_seconds, 0) <= 3600 && floor(coalesce(var.recognizer_gallery_refresh_seconds, 0)) == coalesce(var.recognizer_gallery_refresh_seconds, 0))
    error_message = "recognizer_gallery_refresh_seconds must be a whole number of seconds between 1 and 3600."
  }
}

variable "recognizer_result_candidates" {
  type        = number
  description = "FRS_RESULT_CANDIDATES: how many nearest people each result face lists in `candidates` (1-10), for review screens and audits; null leaves the field out of results."
  default     = null

  validation {
    condition     = var.recognizer_result_candidates == null || (coalesce(var.recognizer_result_candidates, 0) >= 1 && coalesce(var.recognizer_result_candidates, 0) <= 10 && floor(coalesce(var.recognizer_result_candidates, 0)) == coalesce(var.recognizer_result_candidates, 0))
    error_message = "recognizer_result_candidates must be a whole number from 1 to 10."
  }
}

variable "recognizer_match_threshold" {
  type        = number
  description = "FRS_MATCH_THRESHOLD: cosine similarity above which a face matches a gallery identity; null keeps the application default."
  default     = null

  validation {
    condition     = var.recognizer_match_threshold == null || (coalesce(var.recognizer_match_threshold, 0) > -1 && coalesce(var.recognizer_match_threshold, 0) < 1)
    error_message = "recognizer_match_threshold must be a cosine similarity strictly between -1 and 1."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Function URL
# ---------------------------------------------------------------------------------------------------------

variable "function_url_authorization_type" {
  type        = string
  description = "Auth of the detector's Function URL. AWS_IAM (default) requires SigV4-signed requests from principals allowed both lambda:InvokeFunctionUrl and lambda:InvokeFunction. NONE makes the URL callable by anyone on the internet, who can then run up your bill and fill your queues; it is accepted only together with allow_public_function_url = true."
  default     = "AWS_IAM"
  nullable    = false

  validation {
    condition     = contains(["AWS_IAM", "NONE"], var.function_url_authorization_type)
    error_message = "function_url_authorization_type must be \"AWS_IAM\" or \"NONE\"."
  }

  validation {
    condition     = var.function_url_authorization_type != "NONE" || var.allow_public_function_url
    error_message = "function_url_authorization_type = \"NONE\" exposes the detector to the whole internet; set allow_public_function_url = true to confirm that this is intended."
  }
}

variable "allow_public_function_url" {
  type        = bool
  description = "Explicit acknowledgement that an unauthenticated (NONE) Function URL is intended. Has no effect with AWS_IAM."
  default     = false
  nullable    = false
}

variable "function_url_invoker_arns" {
  type        = list(string)
  description = "IAM principals (account ids, role or user ARNs) allowed to call the detector's AWS_IAM Function URL through its resource policy (lambda:InvokeFunctionUrl and lambda:InvokeFunction each). Principals of the same account can instead be granted both actions on the function ARN in their own identity policies."
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.function_url_invoker_arns : can(regex("^(arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/.+|user/.+)|[0-9]{12})$", arn))])
    error_message = "function_url_invoker_arns must hold account ids or IAM root, role or user ARNs."
  }
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
  description = "CORS of the detector's Function URL for browser clients; null disables CORS."
  default     = null

  validation {
    condition     = var.function_url_cors == null || try(length(var.function_url_cors.allow_origins) > 0, false)
    error_message = "function_url_cors.allow_origins must list at least one origin."
  }

  validation {
    condition     = var.function_url_cors == null || try(var.function_url_cors.max_age >= 0 && var.function_url_cors.max_age <= 86400, false)
    error_message = "function_url_cors.max_age must be between 0 and 86400 seconds."
  }

  validation {
    condition     = var.function_url_cors == null || try(alltrue([for m in var.function_url_cors.allow_methods : contains(["*", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"], m)]), false)
    error_message = "function_url_cors.allow_methods may only hold HTTP methods or \"*\"."
  }

  validation {
    condition     = var.function_url_cors == null || try(!(var.function_url_cors.allow_credentials && contains(var.function_url_cors.allow_origins, "*")), false)
    error_message = "function_url_cors cannot allow credentials for the wildcard origin \"*\"."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Enroller Function URL (the enrolment API writes and deletes biometric data: keep it AWS_IAM)
# ---------------------------------------------------------------------------------------------------------

variable "enroller_function_url_authorization_type" {
  type        = string
  description = "Auth of the enroller's Function URL. AWS_IAM (default) requires SigV4-signed requests from principals allowed both lambda:InvokeFunctionUrl and lambda:InvokeFunction. NONE would let anyone on the internet enrol, list and delete people; it is accepted only together with allow_public_enroller_url = true."
  default     = "AWS_IAM"
  nullable    = false

  validation {
    condition     = contains(["AWS_IAM", "NONE"], var.enroller_function_url_authorization_type)
    error_message = "enroller_function_url_authorization_type must be \"AWS_IAM\" or \"NONE\"."
  }

  validation {
    condition     = var.enroller_function_url_authorization_type != "NONE" || var.allow_public_enroller_url
    error_message = "enroller_function_url_authorization_type = \"NONE\" lets the whole internet read and change the gallery; set allow_public_enroller_url = true to confirm that this is intended."
  }
}

variable "allow_public_enroller_url" {
  type        = bool
  description = "Explicit acknowledgement that an unauthenticated (NONE) enroller Function URL is intended. Has no effect with AWS_IAM."
  default     = false
  nullable    = false
}

variable "enroller_function_url_invoker_arns" {
  type        = list(string)
  description = "IAM principals (account ids, role or user ARNs) allowed to call the enroller's AWS_IAM Function URL through its resource policy (lambda:InvokeFunctionUrl and lambda:InvokeFunction each). Same-account principals can instead be granted both actions in their own identity policies."
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.enroller_function_url_invoker_arns : can(regex("^(arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/.+|user/.+)|[0-9]{12})$", arn))])
    error_message = "enroller_function_url_invoker_arns must hold account ids or IAM root, role or user ARNs."
  }
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
  description = "CORS of the enroller's Function URL for a browser console; null disables CORS."
  default     = null

  validation {
    condition     = var.enroller_function_url_cors == null || try(length(var.enroller_function_url_cors.allow_origins) > 0, false)
    error_message = "enroller_function_url_cors.allow_origins must list at least one origin."
  }

  validation {
    condition     = var.enroller_function_url_cors == null || try(var.enroller_function_url_cors.max_age >= 0 && var.enroller_function_url_cors.max_age <= 86400, false)
    error_message = "enroller_function_url_cors.max_age must be between 0 and 86400 seconds."
  }

  validation {
    condition     = var.enroller_function_url_cors == null || try(alltrue([for m in var.enroller_function_url_cors.allow_methods : contains(["*", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"], m)]), false)
    error_message = "enroller_function_url_cors.allow_methods may only hold HTTP methods or \"*\"."
  }

  validation {
    condition     = var.enroller_function_url_cors == null || try(!(var.enroller_function_url_cors.allow_credentials && contains(var.enroller_function_url_cors.allow_origins, "*")), false)
    error_message = "enroller_function_url_cors cannot allow credentials for the wildcard origin \"*\"."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Queues and the event source mapping
# ---------------------------------------------------------------------------------------------------------

variable "event_source_batch_size" {
  type        = number
  description = "Most request messages handed to one recognizer invocation."
  default     = 10
  nullable    = false

  validation {
    condition     = var.event_source_batch_size >= 1 && var.event_source_batch_size <= 10000 && floor(var.event_source_batch_size) == var.event_source_batch_size
    error_message = "event_source_batch_size must be a whole number between 1 and 10000."
  }

  validation {
    condition     = var.event_source_batch_size <= 10 || var.event_source_batching_window_seconds >= 1
    error_message = "SQS batch sizes above 10 need event_source_batching_window_seconds >= 1."
  }
}

variable "event_source_batching_window_seconds" {
  type        = number
  description = "How long Lambda gathers request messages before invoking the recognizer; adds latency, saves invocations."
  default     = 0
  nullable    = false

  validation {
    condition     = var.event_source_batching_window_seconds >= 0 && var.event_source_batching_window_seconds <= 300 && floor(var.event_source_batching_window_seconds) == var.event_source_batching_window_seconds
    error_message = "event_source_batching_window_seconds must be a whole number between 0 and 300."
  }
}

variable "event_source_maximum_concurrency" {
  type        = number
  description = "Most concurrent recognizer invocations the request queue drives (SQS scaling_config maximum_concurrency)."
  default     = 10
  nullable    = false

  validation {
    condition     = var.event_source_maximum_concurrency >= 2 && var.event_source_maximum_concurrency <= 1000 && floor(var.event_source_maximum_concurrency) == var.event_source_maximum_concurrency
    error_message = "event_source_maximum_concurrency must be a whole number between 2 and 1000."
  }
}

variable "request_max_receive_count" {
  type        = number
  description = "Receives of a request message before it moves to the request DLQ. AWS recommends at least 5 for Lambda sources so throttled batches are not dead-lettered."
  default     = 5
  nullable    = false

  validation {
    condition     = var.request_max_receive_count >= 1 && var.request_max_receive_count <= 1000 && floor(var.request_max_receive_count) == var.request_max_receive_count
    error_message = "request_max_receive_count must be a whole number between 1 and 1000."
  }
}

variable "request_message_retention_seconds" {
  type        = number
  description = "How long an unprocessed request waits in the request queue. SQS deletes a message silently when this runs out, so it must outlast an outage (the recognizer failing, throttled or disabled): 4 days by default, so failing requests reach the DLQ (and its alarm) first and a stopped recognizer leaves its backlog in place for days, alarmed by the age-of-oldest-message alarm."
  default     = 345600
  nullable    = false

  validation {
    condition     = var.request_message_retention_seconds >= 60 && var.request_message_retention_seconds <= 1209600
    error_message = "request_message_retention_seconds must be between 60 and 1209600 (14 days)."
  }

  # A dead-lettered message keeps its original enqueue time, so a DLQ that keeps messages no longer than
  # its source would drop them on arrival.
  validation {
    condition     = var.request_message_retention_seconds < var.dlq_message_retention_seconds
    error_message = "request_message_retention_seconds must be shorter than dlq_message_retention_seconds: SQS counts DLQ retention from the original enqueue time."
  }
}

variable "response_visibility_timeout_seconds" {
  type        = number
  description = "Visibility timeout of the response queue. Many clients poll it and each drops results that are not its own, so a result another client received must reappear quickly."
  default     = 5
  nullable    = false

  validation {
    condition     = var.response_visibility_timeout_seconds >= 0 && var.response_visibility_timeout_seconds <= 60 && floor(var.response_visibility_timeout_seconds) == var.response_visibility_timeout_seconds
    error_message = "response_visibility_timeout_seconds must be a whole number between 0 and 60 (keep it short for shared polling)."
  }
}

variable "response_receive_wait_time_seconds" {
  type        = number
  description = "Long-polling wait of the response queue: fewer empty receives (cost) and lower latency than short polling."
  default     = 20
  nullable    = false

  validation {
    condition     = var.response_receive_wait_time_seconds >= 1 && var.response_receive_wait_time_seconds <= 20 && floor(var.response_receive_wait_time_seconds) == var.response_receive_wait_time_seconds
    error_message = "response_receive_wait_time_seconds must be a whole number between 1 and 20 (long polling)."
  }
}

variable "response_max_receive_count" {
  type        = number
  description = "Receives of a result before it moves to the response DLQ. Every polling client that receives someone else's result counts, so with N cameras a result can be received about N times before its owner gets it; the SQS maximum (1000) keeps a busy fleet from dead-lettering results, and unclaimed results expire with the retention period instead."
  default     = 1000
  nullable    = false

  validation {
    condition     = var.response_max_receive_count >= 1 && var.response_max_receive_count <= 1000 && floor(var.response_max_receive_count) == var.response_max_receive_count
    error_message = "response_max_receive_count must be a whole number between 1 and 1000."
  }
}

variable "response_message_retention_seconds" {
  type        = number
  description = "How long an unclaimed result stays in the response queue."
  default     = 900
  nullable    = false

  validation {
    condition     = var.response_message_retention_seconds >= 60 && var.response_message_retention_seconds <= 1209600
    error_message = "response_message_retention_seconds must be between 60 and 1209600 (14 days)."
  }
}

variable "restrict_dlq_sources" {
  type        = bool
  description = "Attach a redrive allow policy so each DLQ accepts messages only from its own source queue. Only emulators that do not implement RedriveAllowPolicy (moto 5.2) need false."
  default     = true
  nullable    = false
}

variable "dlq_message_retention_seconds" {
  type        = number
  description = "How long dead-lettered messages are kept for inspection and redrive."
  default     = 1209600
  nullable    = false

  validation {
    condition     = var.dlq_message_retention_seconds >= 60 && var.dlq_message_retention_seconds <= 1209600
    error_message = "dlq_message_retention_seconds must be between 60 and 1209600 (14 days)."
  }
}

# ---------------------------------------------------------------------------------------------------------
# CI
# ---------------------------------------------------------------------------------------------------------

variable "github_repository" {
  type        = string
  description = "\"owner/name\" of the GitHub repository whose release workflow may push images through OIDC; null creates no CI role."
  default     = null

  validation {
    condition     = var.github_repository == null || can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must look like owner/name."
  }
}

variable "github_oidc_provider_arn" {
  type        = string
  description = "ARN of an existing token.actions.githubusercontent.com OIDC provider (an account holds only one); null creates it."
  default     = null

  validation {
    condition     = var.github_oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$", var.github_oidc_provider_arn))
    error_message = "github_oidc_provider_arn must be the ARN of the token.actions.githubusercontent.com OIDC provider."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Managed gallery (S3)
# ---------------------------------------------------------------------------------------------------------

variable "gallery_bucket_name" {
  type        = string
  description = "Name of the gallery bucket the enroller writes and the recognizer reads. Null means \"<name_prefix>-gallery-<account id>-<region>\" (globally unique, at most 63 characters)."
  default     = null

  validation {
    condition     = var.gallery_bucket_name == null || can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.gallery_bucket_name))
    error_message = "gallery_bucket_name must be 3-63 lowercase letters, digits or '-' (no dots, so TLS certificates match), starting and ending with a letter or digit."
  }
}

variable "gallery_noncurrent_version_expiry_days" {
  type        = number
  description = "Days after which a noncurrent version of a gallery object (an overwritten snapshot, a deleted thumbnail) is deleted. Versioning lets an operator restore a snapshot a bad write replaced; the enroller deletes the noncurrent versions of what a person's deletion touched at once, so this is the upper bound for anything it could not remove."
  default     = 7
  nullable    = false

  validation {
    condition     = var.gallery_noncurrent_version_expiry_days >= 1 && var.gallery_noncurrent_version_expiry_days <= 365 && floor(var.gallery_noncurrent_version_expiry_days) == var.gallery_noncurrent_version_expiry_days
    error_message = "gallery_noncurrent_version_expiry_days must be a whole number of days between 1 and 365."
  }
}

variable "gallery_force_destroy" {
  type        = bool
  description = "Let `terraform destroy` delete the gallery bucket while it still holds objects (people's face data). Leave false in production."
  default     = false
  nullable    = false
}

# ---------------------------------------------------------------------------------------------------------
# Alarms
# ---------------------------------------------------------------------------------------------------------

variable "alarm_topic_arn" {
  type        = string
  description = "Existing SNS topic that every alarm notifies (on ALARM and back to OK). Null with alarm_emails set creates a topic; null without emails leaves the alarms without actions (visible in the console only)."
  default     = null

  validation {
    condition     = var.alarm_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.alarm_topic_arn))
    error_message = "alarm_topic_arn must be an SNS topic ARN."
  }
}

variable "alarm_emails" {
  type        = list(string)
  description = "E-mail addresses subscribed to a topic this module creates for the alarms (each must confirm the subscription mail). Ignored when alarm_topic_arn is set."
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for e in var.alarm_emails : can(regex("^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$", e))])
    error_message = "alarm_emails must hold e-mail addresses."
  }
}

variable "request_age_alarm_seconds" {
  type        = number
  description = "Alarm when the oldest message in the request queue is older than this: the recognizer is down, throttled or far behind. The default is above one failed attempt's visibility timeout (6 x recognizer_timeout + window) so a single retry does not page."
  default     = 600
  nullable    = false

  validation {
    condition     = var.request_age_alarm_seconds >= 60 && floor(var.request_age_alarm_seconds) == var.request_age_alarm_seconds
    error_message = "request_age_alarm_seconds must be a whole number of seconds >= 60."
  }

  validation {
    condition     = var.request_age_alarm_seconds < var.request_message_retention_seconds
    error_message = "request_age_alarm_seconds must be below request_message_retention_seconds, or messages expire before the alarm fires."
  }
}

variable "camera_ids" {
  type        = set(string)
  description = "Cameras that get their own response queue \"<name_prefix>-camera-<id>\" (with DLQ \"<name_prefix>-dlq-camera-<id>\"); the recognizer sends the results of a request with that camera_id there. Empty: every result goes to the shared response queue, tagged with the camera_id message attribute."
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for id in var.camera_ids : can(regex("^[A-Za-z0-9_-]{1,64}$", id))])
    error_message = "Every camera id must be 1-64 characters of letters, digits, '_' or '-' (the camera_id the cameras send)."
  }

  # The DLQ name is the longer one; SQS allows 80 characters.
  validation {
    condition     = alltrue([for id in var.camera_ids : length("${var.name_prefix}-dlq-camera-${id}") <= 80])
    error_message = "A camera id is too long for name_prefix: \"<name_prefix>-dlq-camera-<id>\" must be at most 80 characters."
  }
}

variable "recognizer_idempotency" {
  type        = bool
  description = "Deduplicate redelivered and retried jobs in a DynamoDB table (FRS_IDEMPOTENCY_TABLE). False: every delivery is answered."
  default     = true
  nullable    = false
}

variable "recognizer_idempotency_ttl_seconds" {
  type        = number
  description = "How long the recognizer remembers an answered job (FRS_IDEMPOTENCY_TTL_SECONDS)."
  default     = 3600
  nullable    = false

  validation {
    condition     = var.recognizer_idempotency_ttl_seconds >= 1 && var.recognizer_idempotency_ttl_seconds <= 604800 && floor(var.recognizer_idempotency_ttl_seconds) == var.recognizer_idempotency_ttl_seconds
    error_message = "recognizer_idempotency_ttl_seconds must be a whole number of seconds between 1 and 604800 (7 days)."
  }
}
