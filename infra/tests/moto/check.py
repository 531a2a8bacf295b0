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
s3 = session.client("s3", endpoint_url=endpoint)
cloudwatch = session.client("cloudwatch", endpoint_url=endpoint)
sns = session.client("sns", endpoint_url=endpoint)

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


def url_permissions(function_name):
    """(action, principal, FunctionUrlAuthType or None) of every statement in a function's resource policy."""
    policy = json.loads(lam.get_policy(FunctionName=function_name)["Policy"])
    found = set()
    for st in policy["Statement"]:
        principal = st["Principal"]
        if isinstance(principal, dict):
            principal = principal.get("AWS", principal)
        # Real Lambda renders the auth type as a condition; moto keeps the AddPermission field.
        auth = st.get("FunctionUrlAuthType") or st.get("Condition", {}).get("StringEquals", {}).get("lambda:FunctionUrlAuthType")
        if st["Effect"] == "Allow" and st["Resource"].endswith(f":function:{function_name}"):
            found.add((st["Action"], principal, auth))
        else:
            found.add(("unexpected statement", json.dumps(st, sort_keys=True), None))
    return found


def grants(statements):
    """Every (action, resource) pair a role is allowed."""
    return {(a, r) for effect, actions, resources in statements if effect == "Allow" for a in actions for r in resources}


request_arn, response_arn = out["request_queue_arn"], out["response_queue_arn"]
detector, recognizer, enroller = out["detector_function_name"], out["recognizer_function_name"], out["enroller_function_name"]
detector_logs = f"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/{detector}:*"
recognizer_logs = f"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/{recognizer}:*"
enroller_logs = f"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/{enroller}:*"
bucket = out["gallery_bucket"]
bucket_arn = f"arn:aws:s3:::{bucket}"

# Function URLs
url = lam.get_function_url_config(FunctionName=detector)
check("function URL exists and matches the output", url["FunctionUrl"] == out["function_url"], url["FunctionUrl"])
check("function URL requires IAM auth by default", url["AuthType"] == "AWS_IAM", url["AuthType"])
check("function URL CORS allows the configured origin", url.get("Cors", {}).get("AllowOrigins") == ["https://example.test"], url.get("Cors"))
enroller_url = lam.get_function_url_config(FunctionName=enroller)
check("enroller URL exists and matches the output", enroller_url["FunctionUrl"] == out["enroller_url"], enroller_url["FunctionUrl"])
check("enroller URL requires IAM auth by default", enroller_url["AuthType"] == "AWS_IAM", enroller_url["AuthType"])
check("enroller URL has no CORS unless configured", not enroller_url.get("Cors"), enroller_url.get("Cors"))

# Since October 2025 a URL call needs both actions in the resource policy.
camera = "arn:aws:iam::210987654321:role/camera-uploader"
operator = "arn:aws:iam::123456789012:role/frs-operator"
detector_policy = url_permissions(detector)
check(
    "detector resource policy: InvokeFunctionUrl (AWS_IAM) + InvokeFunction for the named invoker only",
    detector_policy == {("lambda:InvokeFunctionUrl", camera, "AWS_IAM"), ("lambda:InvokeFunction", camera, None)},
    sorted(detector_policy, key=str),
)
enroller_policy = url_permissions(enroller)
check(
    "enroller resource policy: InvokeFunctionUrl (AWS_IAM) + InvokeFunction for its own invoker only",
    enroller_policy == {("lambda:InvokeFunctionUrl", operator, "AWS_IAM"), ("lambda:InvokeFunction", operator, None)},
    sorted(enroller_policy, key=str),
)
try:
    lam.get_policy(FunctionName=recognizer)
    check("recognizer has no resource policy (no URL)", False)
except lam.exceptions.ResourceNotFoundException:
    check("recognizer has no resource policy (no URL)", True)

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
snapshot = f"s3://{bucket}/gallery/snapshot.json"
for name, command, env, memory, reserved in (
    (detector, "detector/dist/handler.handler", {"FRS_REQUEST_QUEUE_URL": out["request_queue_url"]}, 1769, 10),
    (
        recognizer,
        "recognizer/dist/handler.handler",
        {
            "FRS_RESPONSE_QUEUE_URL": out["response_queue_url"],
            "FRS_GALLERY": snapshot,
            "FRS_IDEMPOTENCY_TABLE": "frs-moto-idempotency",
            "FRS_IDEMPOTENCY_TTL_SECONDS": "3600",
            "FRS_IDEMPOTENCY_IN_PROGRESS_SECONDS": "60",
        },
        1769,
        None,
    ),
    (enroller, "enroller/dist/handler.handler", {"FRS_GALLERY_STORE": f"s3://{bucket}/gallery/"}, 1769, 2),
):
    fn = lam.get_function(FunctionName=name)
    cfg = fn["Configuration"]
    check(f"{name} is an image function", cfg.get("PackageType") == "Image", cfg.get("PackageType"))
    image_cfg = cfg.get("ImageConfigResponse", {}).get("ImageConfig", {})
    check(f"{name} command", image_cfg.get("Command") == [command], image_cfg)
    variables = cfg["Environment"]["Variables"]
    check(f"{name} environment", variables == {"LOG_LEVEL": "info", **env}, variables)
    # moto 5.2 does not return LoggingConfig; JSON logging is asserted by the mocked terraform tests.
    check(f"{name} sizing", cfg.get("MemorySize") == memory and cfg.get("Architectures") == ["x86_64"], cfg.get("MemorySize"))
    concurrency = lam.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions")
    check(f"{name} reserved concurrency", concurrency == reserved, concurrency)
check("recognizer_gallery output is the managed snapshot", out["recognizer_gallery"] == snapshot, out["recognizer_gallery"])

# Gallery bucket
check("gallery bucket versioning", s3.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled")
sse = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
check("gallery bucket SSE", [r["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] for r in sse] == ["AES256"], sse)
pab = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
check("gallery bucket blocks all public access", all(pab.get(k) is True for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")), pab)
ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
check("gallery bucket disables ACLs (BucketOwnerEnforced)", ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}], ownership)
rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
check(
    "gallery bucket expires noncurrent versions after 7 days",
    [(r["Status"], r.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays")) for r in rules] == [("Enabled", 7)],
    rules,
)
bucket_policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
check(
    "gallery bucket policy denies every non-TLS request",
    [(st["Effect"], st["Action"], st["Principal"], sorted(st["Resource"]), st["Condition"]) for st in bucket_policy["Statement"]]
    == [("Deny", "s3:*", "*", sorted([bucket_arn, f"{bucket_arn}/*"]), {"Bool": {"aws:SecureTransport": "false"}})],
    bucket_policy,
)

# Alarms
alarms = {a["AlarmName"]: a for a in cloudwatch.describe_alarms()["MetricAlarms"]}
topic = out["alarm_topic_arn"]
for alarm_name, queue_url, metric, threshold in (
    ("cam42-req-queue-dlq-not-empty", out["request_dlq_url"], "ApproximateNumberOfMessagesVisible", 0),
    ("cam42-resp-queue-dlq-not-empty", out["response_dlq_url"], "ApproximateNumberOfMessagesVisible", 0),
    ("cam42-req-queue-oldest-message-age", out["request_queue_url"], "ApproximateAgeOfOldestMessage", 600),
):
    a = alarms.get(alarm_name, {})
    check(
        f"alarm {alarm_name}",
        a.get("Namespace") == "AWS/SQS"
        and a.get("MetricName") == metric
        and a.get("Dimensions") == [{"Name": "QueueName", "Value": queue_url.rsplit("/", 1)[1]}]
        and a.get("ComparisonOperator") == "GreaterThanThreshold"
        and a.get("Threshold") == threshold
        and a.get("AlarmActions") == [topic]
        and a.get("OKActions") == [topic],
        a,
    )
for name in (detector, recognizer, enroller):
    a = alarms.get(f"{name}-throttled", {})
    check(
        f"alarm {name}-throttled",
        a.get("Namespace") == "AWS/Lambda"
        and a.get("MetricName") == "Throttles"
        and a.get("Dimensions") == [{"Name": "FunctionName", "Value": name}]
        and a.get("Threshold") == 0
        and a.get("AlarmActions") == [topic],
        a,
    )
check("exactly six alarms", len(alarms) == 6, sorted(alarms))
subscriptions = [(s["Protocol"], s["Endpoint"]) for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]]
check("alarm topic mails the configured address", subscriptions == [("email", "ops@example.test")], subscriptions)

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
protected = [r["selection"].get("tagPrefixList") for r in lifecycle["rules"] if r["selection"]["tagStatus"] == "tagged"]
check("repository lifecycle protects every function version tag", protected == [["detector-"], ["enroller-"], ["recognizer-"]], lifecycle)
check("repository lifecycle ends with the 'any' cap", lifecycle["rules"][-1]["selection"]["tagStatus"] == "any" and len(lifecycle["rules"]) == 5, lifecycle)
pull = json.loads(ecr.get_repository_policy(repositoryName=repo["repositoryName"])["policyText"])
check(
    "repository policy lets Lambda pull for the three functions only",
    sorted(pull["Statement"][0]["Condition"]["StringLike"]["aws:sourceArn"])
    == sorted(f"arn:aws:lambda:eu-west-1:123456789012:function:{n}" for n in (detector, enroller, recognizer)),
    pull,
)

# Least privilege: exactly the grants the code and the event source mapping need.
detector_grants = grants(role_statements(detector))
check(
    "detector role: own logs + send to the request queue, nothing else",
    detector_grants
    == {("logs:CreateLogStream", detector_logs), ("logs:PutLogEvents", detector_logs), ("sqs:SendMessage", request_arn)},
    sorted(detector_grants),
)
idempotency_arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/frs-moto-idempotency"
table = session.client("dynamodb", endpoint_url=endpoint).describe_table(TableName="frs-moto-idempotency")["Table"]
check(
    "idempotency table: keyed by id, on demand",
    [(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]] == [("id", "HASH")]
    and table.get("BillingModeSummary", {}).get("BillingMode") == "PAY_PER_REQUEST",
    table.get("KeySchema"),
)
recognizer_grants = grants(role_statements(recognizer))
check(
    "recognizer role: own logs + consume requests + send responses + its snapshot + its idempotency table, nothing else",
    recognizer_grants
    == {
        ("logs:CreateLogStream", recognizer_logs),
        ("logs:PutLogEvents", recognizer_logs),
        ("sqs:ReceiveMessage", request_arn),
        ("sqs:DeleteMessage", request_arn),
        ("sqs:GetQueueAttributes", request_arn),
        ("sqs:SendMessage", response_arn),
        ("s3:GetObject", f"{bucket_arn}/gallery/snapshot.json"),
        ("s3:ListBucket", bucket_arn),
    }
    | {(f"dynamodb:{a}", idempotency_arn) for a in ("PutItem", "GetItem", "UpdateItem", "DeleteItem")},
    sorted(recognizer_grants),
)
enroller_grants = grants(role_statements(enroller))
check(
    "enroller role: own logs + objects under gallery/ + listing the bucket, nothing else",
    enroller_grants
    == {("logs:CreateLogStream", enroller_logs), ("logs:PutLogEvents", enroller_logs)}
    | {
        (f"s3:{a}", f"{bucket_arn}/gallery/*")
        for a in ("GetObject", "PutObject", "DeleteObject", "GetObjectVersion", "DeleteObjectVersion")
    }
    | {("s3:ListBucket", bucket_arn), ("s3:ListBucketVersions", bucket_arn)},
    sorted(enroller_grants),
)
list_conditions = [
    st.get("Condition")
    for name in iam.list_role_policies(RoleName=enroller)["PolicyNames"]
    for st in (lambda d: json.loads(d) if isinstance(d, str) else d)(iam.get_role_policy(RoleName=enroller, PolicyName=name)["PolicyDocument"])["Statement"]
    if "s3:ListBucket" in (st["Action"] if isinstance(st["Action"], list) else [st["Action"]])
]
check("enroller may list only under gallery/", list_conditions == [{"StringLike": {"s3:prefix": "gallery/*"}}], list_conditions)
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

for role in (detector, recognizer, enroller):
    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    check(f"{role} has no managed policies", attached == [], attached)
    trust = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    if isinstance(trust, str):
        trust = json.loads(trust)
    principals = [st["Principal"] for st in trust["Statement"]]
    check(f"{role} is assumable by Lambda only", principals == [{"Service": "lambda.amazonaws.com"}], principals)

print(f"{failures} check(s) failed" if failures else "all moto checks passed")
sys.exit(1 if failures else 0)
