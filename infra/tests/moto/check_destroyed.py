"""After `terraform destroy`, moto must hold nothing the module created. Usage: check_destroyed.py <endpoint>."""

import sys

import boto3

session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="eu-west-1")
endpoint = sys.argv[1]
left = {
    "functions": [f["FunctionName"] for f in session.client("lambda", endpoint_url=endpoint).list_functions()["Functions"]],
    "queues": session.client("sqs", endpoint_url=endpoint).list_queues().get("QueueUrls", []),
    "roles": [r["RoleName"] for r in session.client("iam", endpoint_url=endpoint).list_roles()["Roles"] if r["RoleName"].startswith("frs-")],
    "repositories": [r["repositoryName"] for r in session.client("ecr", endpoint_url=endpoint).describe_repositories()["repositories"]],
    "log groups": [g["logGroupName"] for g in session.client("logs", endpoint_url=endpoint).describe_log_groups(logGroupNamePrefix="/aws/lambda/frs-")["logGroups"]],
    "buckets": [b["Name"] for b in session.client("s3", endpoint_url=endpoint).list_buckets()["Buckets"]],
    "alarms": [a["AlarmName"] for a in session.client("cloudwatch", endpoint_url=endpoint).describe_alarms()["MetricAlarms"]],
    "topics": [t["TopicArn"] for t in session.client("sns", endpoint_url=endpoint).list_topics()["Topics"]],
}
leftovers = {k: v for k, v in left.items() if v}
print(f"left behind: {leftovers}" if leftovers else "nothing left behind")
sys.exit(1 if leftovers else 0)
