output "function_url" {
  description = "Detector endpoint."
  value       = module.frs.function_url
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
