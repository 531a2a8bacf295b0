terraform {
  # 1.9 is the first release whose variable validations may reference other variables.
  required_version = ">= 1.9.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.x and 6.x: the CI mirror holds 5.100.0, so nothing here may need a 6.x-only argument (see
      # function_url.tf for the one that would help: invoked_via_function_url, 6.29+).
      version = ">= 5.80.0, < 7.0.0"
    }
  }
}
