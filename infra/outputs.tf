output "function_url" {
  description = "HTTPS endpoint of the detector (null until deploy_functions is true)."
  value       = try(aws_lambda_function_url.this["detector"].function_url, null)
}

output "enroller_url" {
  description = "HTTPS endpoint of the enrolment API (null until deploy_functions is true)."
  value       = try(aws_lambda_function_url.this["enroller"].function_url, null)
}

output "enroller_url_authorization_type" {
  description = "AWS_IAM (callers must sign with SigV4) or NONE (public) for the enroller URL."
  value       = var.enroller_function_url_authorization_type
}

output "gallery_bucket" {
  description = "Name of the gallery bucket (the store is s3://<bucket>/gallery/)."
  value       = aws_s3_bucket.gallery.bucket
}

output "gallery_bucket_arn" {
  description = "ARN of the gallery bucket."
  value       = aws_s3_bucket.gallery.arn
}

output "recognizer_gallery" {
  description = "FRS_GALLERY the recognizer runs with: the managed snapshot unless recognizer_gallery names another."
  value       = local.recognizer_gallery
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms notify (null when neither alarm_topic_arn nor alarm_emails is set)."
  value       = local.alarm_topic_arn
}

output "function_url_authorization_type" {
  description = "AWS_IAM (callers must sign with SigV4) or NONE (public)."
  value       = var.function_url_authorization_type
}

output "request_queue_url" {
  description = "URL of the request queue the detector sends to."
  value       = aws_sqs_queue.request.url
}

output "request_queue_arn" {
  description = "ARN of the request queue the recognizer consumes."
  value       = aws_sqs_queue.request.arn
}

output "request_dlq_url" {
  description = "URL of the request dead-letter queue."
  value       = aws_sqs_queue.request_dlq.url
}

output "request_dlq_arn" {
  description = "ARN of the request dead-letter queue."
  value       = aws_sqs_queue.request_dlq.arn
}

output "response_queue_url" {
  description = "URL of the response queue clients poll for results."
  value       = aws_sqs_queue.response.url
}

output "response_queue_arn" {
  description = "ARN of the response queue."
  value       = aws_sqs_queue.response.arn
}

output "response_dlq_url" {
  description = "URL of the response dead-letter queue."
  value       = aws_sqs_queue.response_dlq.url
}

output "response_dlq_arn" {
  description = "ARN of the response dead-letter queue."
  value       = aws_sqs_queue.response_dlq.arn
}

output "repository_url" {
  description = "ECR repository URL to push the image to (<account>.dkr.ecr.<region>.amazonaws.com/<name>)."
  value       = aws_ecr_repository.this.repository_url
}

output "repository_arn" {
  description = "ECR repository ARN, for the CI push role's policy."
  value       = aws_ecr_repository.this.arn
}

output "detector_function_name" {
  description = "Name of the detector function."
  value       = local.function_names["detector"]
}

output "recognizer_function_name" {
  description = "Name of the recognizer function."
  value       = local.function_names["recognizer"]
}

output "enroller_function_name" {
  description = "Name of the enroller function."
  value       = local.function_names["enroller"]
}

output "detector_role_arn" {
  description = "Execution role of the detector."
  value       = aws_iam_role.this["detector"].arn
}

output "recognizer_role_arn" {
  description = "Execution role of the recognizer."
  value       = aws_iam_role.this["recognizer"].arn
}

output "enroller_role_arn" {
  description = "Execution role of the enroller."
  value       = aws_iam_role.this["enroller"].arn
}

output "event_source_mapping_uuid" {
  description = "UUID of the request queue -> recognizer event source mapping (null until deploy_functions is true)."
  value       = one(aws_lambda_event_source_mapping.requests[*].uuid)
}

output "github_release_role_arn" {
  description = "Role for release.yml's role-to-assume (AWS_RELEASE_ROLE_ARN); null without github_repository."
  value       = one(aws_iam_role.github_release[*].arn)
}

output "camera_queue_urls" {
  description = "Per-camera response queue URLs by camera id (what each camera polls, e.g. frs send --camera-id <id> --queue-url <url>)."
  value       = { for id, queue in aws_sqs_queue.camera : id => queue.url }
}

output "camera_queue_arns" {
  description = "Per-camera response queue ARNs by camera id, for each camera's own receive/delete permission."
  value       = { for id, queue in aws_sqs_queue.camera : id => queue.arn }
}

output "camera_queue_url_prefix" {
  description = "FRS_CAMERA_QUEUE_PREFIX of the recognizer (null without camera_ids)."
  value       = local.camera_queue_url_prefix
}

output "idempotency_table_name" {
  description = "DynamoDB table of the recognizer's answered jobs (null when recognizer_idempotency is false)."
  value       = var.recognizer_idempotency ? aws_dynamodb_table.idempotency[0].name : null
}

output "idempotency_table_arn" {
  description = "ARN of the recognizer's idempotency table (null when recognizer_idempotency is false)."
  value       = var.recognizer_idempotency ? aws_dynamodb_table.idempotency[0].arn : null
}
