terraform {
  required_version = ">= 1.9.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80.0, < 7.0.0"
    }
  }

  # Partial configuration: bucket, key, region and use_lockfile come from `-backend-config=backend.hcl`
  # (see ../README.md), so one root serves every account.
  backend "s3" {}
}
