output "function_url" {
  description = "Detector endpoint."
  value       = module.frs.function_url
}

output "enroller_url" {
  description = "Enrolment API endpoint (frs enrol --url / frs people)."
  value       = module.frs.enroller_url
}

output "gallery_bucket" {
  description = "Bucket holding the managed gallery (s3://<bucket>/gallery/)."
  value       = module.frs.gallery_bucket
}

output "recognizer_gallery" {
  description = "FRS_GALLERY the recognizer runs with."
  value       = module.frs.recognizer_gallery
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms notify."
  value       = module.frs.alarm_topic_arn
}

output "request_queue_url" {
  description = "Request queue URL."
  value       = module.frs.request_queue_url
}

output "response_queue_url" {
  description = "Response queue URL clients poll."
  value       = module.frs.response_queue_url
}

output "repository_url" {
  description = "ECR repository to push the image to."
  value       = module.frs.repository_url
}

output "github_release_role_arn" {
  description = "Set as the AWS_RELEASE_ROLE_ARN repository variable."
  value       = module.frs.github_release_role_arn
}
