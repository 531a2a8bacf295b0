"""Read the moto-applied stack back through the AWS APIs and check what the code needs, and no more.

Usage: check.py <endpoint> <terraform-output.json>. Prints one `ok`/`FAIL` line per check and exits 1 on
any failure. boto3 ships with moto, so this needs nothing beyond the moto install the test already uses.
"""

import json
import sys

import boto3

endpoint, outputs_path = sys.argv[1], sys.argv[2]
with open(outputs_path, encoding="utf-8") as f:
    out = json.load(f)["frs"]["value"]

session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="eu-west-1")
iam = session.client("iam", endpoint_url=endpoint)
lam = session.client("lambda", endpoint_url=endpoint)
sqs = session.client("sqs", endpoint_url=endpoint)
ecr = session.client("ecr", endpoint_url=endpoint)

failures = 0


def check(name, condition, detail=""):
    global failures
    if condition:
        print(f"ok   {name}")
    else:
        failures += 1
        print(f"FAIL {name} {detail}")


def role_statements(role_name):
    statements = []
    for policy_name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
        doc = iam.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]
        if isinstance(doc, str):
            doc = json.loads(doc)
        for st in doc["Statement"]:
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
            statements.append((st["Effect"], sorted(actions), sorted(resources)))
    return statements


def grants(statements):
    """Every (action, resource) pair a role is allowed."""
    return {(a, r) for effect, actions, resources in statements if effect == "Allow" for a in actions for r in resources}


request_arn, response_arn = out["request_queue_arn"], out["response_queue_arn"]
detector, recognizer = out["detector_function_name"], out["recognizer_function_name"]
detector_logs = f"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/{detector}:*"
recognizer_logs = f"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/{recognizer}:*"

# Function URL
url = lam.get_function_url_config(FunctionName=detector)
check("function URL exists and matches the output", url["FunctionUrl"] == out["function_url"], url["FunctionUrl"])
check("function URL requires IAM auth by default", url["AuthType"] == "AWS_IAM", url["AuthType"])
check("function URL CORS allows the configured origin", url.get("Cors", {}).get("AllowOrigins") == ["https://example.test"], url.get("Cors"))

# Event source mapping
recognizer_arn = lam.get_function(FunctionName=recognizer)["Configuration"]["FunctionArn"]
mappings = [m for m in lam.list_event_source_mappings()["EventSourceMappings"] if m["FunctionArn"] == recognizer_arn]
check("exactly one event source mapping on the recognizer", len(mappings) == 1, mappings)
esm = lam.get_event_source_mapping(UUID=out["event_source_mapping_uuid"])
check("event source mapping reads the request queue", esm["EventSourceArn"] == request_arn, esm["EventSourceArn"])
check("event source mapping batch size", esm["BatchSize"] == 5, esm["BatchSize"])
check("event source mapping batching window", esm.get("MaximumBatchingWindowInSeconds") == 2, esm.get("MaximumBatchingWindowInSeconds"))
check("event source mapping reports batch item failures", esm.get("FunctionResponseTypes") == ["ReportBatchItemFailures"], esm.get("FunctionResponseTypes"))

# Functions
for name, command, env_key, queue_out in (
    (detector, "detector/dist/handler.handler", "FRS_REQUEST_QUEUE_URL", "request_queue_url"),
    (recognizer, "recognizer/dist/handler.handler", "FRS_RESPONSE_QUEUE_URL", "response_queue_url"),
):
    cfg = lam.get_function(FunctionName=name)["Configuration"]
    check(f"{name} is an image function", cfg.get("PackageType") == "Image", cfg.get("PackageType"))
    image_cfg = cfg.get("ImageConfigResponse", {}).get("ImageConfig", {})
    check(f"{name} command", image_cfg.get("Command") == [command], image_cfg)
    check(f"{name} knows its queue", cfg["Environment"]["Variables"].get(env_key) == out[queue_out], cfg["Environment"])
    # moto 5.2 does not return LoggingConfig; JSON logging is asserted by the mocked terraform tests.
    check(f"{name} sizing", cfg.get("MemorySize") == 2048 and cfg.get("Architectures") == ["x86_64"], cfg.get("MemorySize"))

# Queues
req = sqs.get_queue_attributes(QueueUrl=out["request_queue_url"], AttributeNames=["All"])["Attributes"]
check("request queue visibility = 6 x 60 + 2", req["VisibilityTimeout"] == "362", req["VisibilityTimeout"])
check("request queue redrives to its DLQ", json.loads(req["RedrivePolicy"])["deadLetterTargetArn"] == out["request_dlq_arn"], req.get("RedrivePolicy"))
check("request queue SSE", req.get("SqsManagedSseEnabled") == "true", req.get("SqsManagedSseEnabled"))
resp = sqs.get_queue_attributes(QueueUrl=out["response_queue_url"], AttributeNames=["All"])["Attributes"]
check("response queue long-polls", resp["ReceiveMessageWaitTimeSeconds"] == "20", resp["ReceiveMessageWaitTimeSeconds"])
check("response queue short visibility", int(resp["VisibilityTimeout"]) <= 10, resp["VisibilityTimeout"])
check("response queue redrives to its DLQ", json.loads(resp["RedrivePolicy"])["deadLetterTargetArn"] == out["response_dlq_arn"], resp.get("RedrivePolicy"))
check("queue names follow the <id>-req-queue convention", out["request_queue_url"].endswith("/cam42-req-queue"), out["request_queue_url"])

# Repository
repo = ecr.describe_repositories(repositoryNames=[out["repository_url"].split("/", 1)[1]])["repositories"][0]
check("repository tags are immutable", repo["imageTagMutability"] == "IMMUTABLE", repo["imageTagMutability"])
check("repository scans on push", repo["imageScanningConfiguration"]["scanOnPush"] is True, repo["imageScanningConfiguration"])
lifecycle = json.loads(ecr.get_lifecycle_policy(repositoryName=repo["repositoryName"])["lifecyclePolicyText"])
check("repository lifecycle policy has two rules", len(lifecycle["rules"]) == 2, lifecycle)

# Least privilege: exactly the grants the code and the event source mapping need.
detector_grants = grants(role_statements(detector))
check(
    "detector role: own logs + send to the request queue, nothing else",
    detector_grants
    == {("logs:CreateLogStream", detector_logs), ("logs:PutLogEvents", detector_logs), ("sqs:SendMessage", request_arn)},
    sorted(detector_grants),
)
recognizer_grants = grants(role_statements(recognizer))
check(
    "recognizer role: own logs + consume requests + send responses, nothing else",
    recognizer_grants
    == {
        ("logs:CreateLogStream", recognizer_logs),
        ("logs:PutLogEvents", recognizer_logs),
        ("sqs:ReceiveMessage", request_arn),
        ("sqs:DeleteMessage", request_arn),
        ("sqs:GetQueueAttributes", request_arn),
        ("sqs:SendMessage", response_arn),
    },
    sorted(recognizer_grants),
)
release_role = out["github_release_role_arn"].split("/")[-1]
repository_arn = out["repository_arn"]
release_grants = grants(role_statements(release_role))
check(
    "CI release role: ECR login + push/tag this repository only",
    release_grants
    == {("ecr:GetAuthorizationToken", "*")}
    | {
        (f"ecr:{a}", repository_arn)
        for a in (
            "BatchCheckLayerAvailability",
            "BatchGetImage",
            "CompleteLayerUpload",
            "DescribeImages",
            "InitiateLayerUpload",
            "PutImage",
            "UploadLayerPart",
        )
    },
    sorted(release_grants),
)
release_trust = iam.get_role(RoleName=release_role)["Role"]["AssumeRolePolicyDocument"]
if isinstance(release_trust, str):
    release_trust = json.loads(release_trust)
check(
    "CI release role trusts GitHub OIDC only",
    [st["Principal"] for st in release_trust["Statement"]]
    == [{"Federated": f"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}],
    release_trust,
)

for role in (detector, recognizer):
    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    check(f"{role} has no managed policies", attached == [], attached)
    trust = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    if isinstance(trust, str):
        trust = json.loads(trust)
    principals = [st["Principal"] for st in trust["Statement"]]
    check(f"{role} is assumable by Lambda only", principals == [{"Service": "lambda.amazonaws.com"}], principals)

print(f"{failures} check(s) failed" if failures else "all moto checks passed")
sys.exit(1 if failures else 0)
