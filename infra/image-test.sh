#!/usr/bin/env bash
# Builds the Dockerfile with buildah (no daemon: --isolation chroot, vfs storage) against two locally made
# stand-in bases, because neither public.ecr.aws/lambda/nodejs:22 nor the node build image can be pulled
# on this machine:
#   localhost/frs-standin-build:22   Debian bookworm (debootstrap) + this machine's Node 22 + pnpm
#   localhost/frs-standin-lambda:22  FROM scratch: the Node 22 binary, its shared libraries and a tiny
#                                    runtime-interface stand-in (image/lambda-entrypoint.mjs)
# Then checks that both handlers load inside the image and that each handler string resolves the way
# Lambda resolves it, and reports the image size. Slow (minutes): kept out of infra/test.sh.
# Last line: "N passed, N failed".
set -uo pipefail

infra=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$infra/.." && pwd)
toolchain=${FRS_TOOLCHAIN:-${XDG_CACHE_HOME:-$HOME/.cache}/frs-toolchain}
cache=${FRS_STANDIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/frs-standin}
node_bin=${FRS_STANDIN_NODE:-$toolchain/node_modules/node/bin/node}
pnpm_dir=${FRS_STANDIN_PNPM:-$toolchain/node_modules/pnpm}
# The models build runs `npm pack`, as the official node image allows; borrow this machine's npm.
npm_dir=${FRS_STANDIN_NPM:-$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")}
image=${FRS_IMAGE:-localhost/frs:image-test}
# The runtime stand-in is part of the Lambda stand-in base, so its content names the base.
runner_hash=$(sha256sum "$infra/image/lambda-entrypoint.mjs" | cut -c1-12)
lambda_base=localhost/frs-standin-lambda:22-$runner_hash
bah=(buildah --storage-driver vfs)
passed=0
failed=0
started=$(date +%s)

log() { printf '\033[1m[image +%ss]\033[0m %s\n' "$(($(date +%s) - started))" "$*" >&2; }
record() {
  if [[ $1 -eq 0 ]]; then passed=$((passed + 1)); printf 'PASS %s\n' "$2"; else failed=$((failed + 1)); printf 'FAIL %s\n' "$2"; fi
}
finish() { printf '%d passed, %d failed\n' "$passed" "$failed"; exit $((failed > 0)); }

containers=()
cleanup() {
  local c
  for c in "${containers[@]}"; do "${bah[@]}" rm "$c" >/dev/null 2>&1; done
}
trap cleanup EXIT

command -v buildah >/dev/null || { record 1 "buildah installed (apt-get install -y buildah)"; finish; }
[[ -x "$node_bin" ]] || { record 1 "node 22 binary at $node_bin"; finish; }
"$node_bin" -e 'process.exit(process.versions.node.startsWith("22.") ? 0 : 1)' || { record 1 "stand-in node is 22.x"; finish; }

# --- stand-in build base ----------------------------------------------------------------------------------
if ! "${bah[@]}" inspect --type image localhost/frs-standin-build:22 >/dev/null 2>&1; then
  if [[ ! -x "$cache/rootfs/bin/sh" ]]; then
    command -v debootstrap >/dev/null || { record 1 "debootstrap installed (apt-get install -y debootstrap)"; finish; }
    log "debootstrap bookworm (once, cached in $cache)"
    mkdir -p "$cache"
    debootstrap --variant=minbase --include=ca-certificates bookworm "$cache/rootfs.tmp" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 \
      && mv "$cache/rootfs.tmp" "$cache/rootfs" || { tail "$cache/debootstrap.log" >&2; record 1 "debootstrap the stand-in build rootfs"; finish; }
  fi
  log "stand-in build base"
  c=$("${bah[@]}" from scratch) && containers+=("$c")
  "${bah[@]}" add "$c" "$cache/rootfs" / >/dev/null
  "${bah[@]}" add "$c" "$node_bin" /usr/local/bin/node >/dev/null
  "${bah[@]}" add "$c" "$pnpm_dir" /usr/local/lib/node_modules/pnpm >/dev/null
  "${bah[@]}" add "$c" "$npm_dir" /usr/local/lib/node_modules/npm >/dev/null
  "${bah[@]}" run --isolation chroot "$c" -- ln -s ../lib/node_modules/pnpm/bin/pnpm.cjs /usr/local/bin/pnpm
  "${bah[@]}" run --isolation chroot "$c" -- ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
  # This machine reaches the npm registry through an egress proxy with its own CA; the build stage's
  # downloads (pnpm fetch, the model tarballs) must trust the same roots the host does.
  "${bah[@]}" add "$c" /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt >/dev/null
  "${bah[@]}" config --env PATH=/usr/local/bin:/usr/bin:/bin --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    --workingdir / "$c"
  "${bah[@]}" commit --quiet "$c" localhost/frs-standin-build:22 >/dev/null
  record $? "stand-in build base (Debian bookworm + node $("$node_bin" --version) + pnpm + npm)"
fi

# --- stand-in Lambda base ---------------------------------------------------------------------------------
if ! "${bah[@]}" inspect --type image "$lambda_base" >/dev/null 2>&1; then
  log "stand-in Lambda base (scratch + node + its libraries)"
  stage=$(mktemp -d)
  mkdir -p "$stage/var/lang/bin" "$stage/var/task" "$stage/tmp" "$stage/etc"
  cp "$node_bin" "$stage/var/lang/bin/node"
  cp "$infra/image/lambda-entrypoint.mjs" "$stage/lambda-entrypoint.mjs"
  # The node binary, sharp's libvips and onnxruntime need glibc, libstdc++ and friends, as on Amazon Linux.
  # Amazon Linux ships all of glibc (onnxruntime needs librt, libdl, ... beyond what node links), so the
  # stand-in carries this machine's whole libc6, libstdc++6 and libgcc-s1 shared libraries.
  for lib in $(ldd "$node_bin" | awk '/=>/ { print $3 } /^\s*\/lib/ { print $1 }') \
    $(dpkg -L libc6 libstdc++6 libgcc-s1 2>/dev/null | grep -E '\.so(\.[0-9]+)*$' | grep -v -E '/gconv/|/audit/'); do
    [[ -e "$lib" ]] || continue
    mkdir -p "$stage$(dirname "$lib")"
    cp -L "$lib" "$stage$lib"
  done
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n' >"$stage/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' >"$stage/etc/group"
  chmod 1777 "$stage/tmp"
  c=$("${bah[@]}" from scratch) && containers+=("$c")
  "${bah[@]}" add "$c" "$stage" / >/dev/null
  "${bah[@]}" config --env LAMBDA_TASK_ROOT=/var/task --env PATH=/var/lang/bin:/usr/bin:/bin \
    --workingdir /var/task --entrypoint '["/var/lang/bin/node","/lambda-entrypoint.mjs"]' "$c"
  "${bah[@]}" commit --quiet "$c" "$lambda_base" >/dev/null
  record $? "stand-in Lambda base (scratch + node + runtime stand-in)"
  rm -rf "$stage"
fi

# --- the image --------------------------------------------------------------------------------------------
log "buildah bud (this builds the models from npm tarballs inside the image)"
build_start=$(date +%s)
# FRS_IMAGE_NO_CACHE=1 measures a cold build (every step, including the model conversion, re-runs).
cache_args=(--layers)
[[ -z "${FRS_IMAGE_NO_CACHE:-}" ]] || cache_args=(--no-cache)
"${bah[@]}" bud --isolation chroot "${cache_args[@]}" \
  --build-arg BUILD_IMAGE=localhost/frs-standin-build:22 --build-arg "BASE_IMAGE=$lambda_base" \
  -f "$root/Dockerfile" -t "$image" "$root" >"$cache/bud.log" 2>&1
rc=$?
[[ $rc -eq 0 ]] || tail -40 "$cache/bud.log" >&2
record $rc "Dockerfile builds with buildah ($(($(date +%s) - build_start))s)"
[[ $rc -eq 0 ]] || finish

c=$("${bah[@]}" from "$image") && containers+=("$c")
env_args=(--env FRS_REQUEST_QUEUE_URL=http://127.0.0.1:9/000000000000/frs-request
  --env FRS_RESPONSE_QUEUE_URL=http://127.0.0.1:9/000000000000/frs-response
  --env FRS_GALLERY=/var/task/gallery/gallery.json --env FRS_GALLERY_STORE=s3://frs-gallery-standin/gallery/
  --env AWS_REGION=eu-west-1
  --env AWS_ACCESS_KEY_ID=standin --env AWS_SECRET_ACCESS_KEY=standin --env LOG_LEVEL=warn)

log "the three handlers load inside the image"
"${bah[@]}" run --isolation chroot "${env_args[@]}" "$c" -- /var/lang/bin/node --input-type=module -e "
  const d = await import('/var/task/detector/dist/handler.js');
  const r = await import('/var/task/recognizer/dist/handler.js');
  const e = await import('/var/task/enroller/dist/handler.js');
  if ([d, r, e].some((m) => typeof m.handler !== 'function')) throw new Error('handler export missing');
  console.log('the three handlers load');
" >"$cache/load.log" 2>&1
rc=$?
cat "$cache/load.log"
record $rc "the three handler modules import inside the image"

log "handler strings resolve as Lambda resolves image_config.command"
for cmd in detector/dist/handler.handler recognizer/dist/handler.handler enroller/dist/handler.handler; do
  "${bah[@]}" run --isolation chroot "${env_args[@]}" "$c" -- /var/lang/bin/node -e "
    const { existsSync } = require('node:fs');
    const [mod, fn] = [process.argv[1].slice(0, process.argv[1].lastIndexOf('.')), process.argv[1].split('.').pop()];
    const file = '/var/task/' + mod + '.js';
    if (!existsSync(file)) { console.error('missing ' + file); process.exit(1); }
    import(file).then((m) => { if (typeof m[fn] !== 'function') process.exit(1); console.log(process.argv[1] + ' -> ' + file); });
  " "$cmd" >"$cache/cmd.log" 2>&1
  rc=$?
  cat "$cache/cmd.log"
  record $rc "image_config.command $cmd resolves to an exported function"
done

log "no foreign native binaries"
"${bah[@]}" run --isolation chroot "$c" -- /var/lang/bin/node -e "
  const { readdirSync } = require('node:fs');
  const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? walk(d + '/' + e.name) : [d + '/' + e.name]);
  const bad = ['/var/task/detector', '/var/task/recognizer'].flatMap(walk)
    .filter((f) => /onnxruntime-node\/bin\/napi-v\d+\/(win32|darwin)|onnxruntime-node\/bin\/napi-v\d+\/linux\/arm64|sharp-(darwin|win32|linuxmusl)/.test(f));
  if (bad.length) { console.error(bad.slice(0, 10).join('\n')); process.exit(1); }
  console.log('only linux/x64 binaries');
" >"$cache/bins.log" 2>&1
rc=$?
cat "$cache/bins.log"
record $rc "only linux x64 onnxruntime/sharp binaries in the image"

# --- a real pipeline through the runtime stand-in ---------------------------------------------------------
# The detector runs its models on a real photo inside the image and sends the job to a real SQS API
# (moto_server on loopback; chroot isolation shares the host network); the recognizer then gets that job
# as an SQS event, matches it against a gallery enrolled on the host from other photos (mounted read-only:
# a gallery is deployment data, not part of the image) and answers on the response queue.
shared=${FRS_SHARED_DIR:-$root/../shared}
faces="$shared/faces/identities"
probe="$faces/Anthony_Hopkins/00.jpg"
if [[ -f "$probe" ]] && command -v moto_server >/dev/null; then
  log "pipeline in the image: photo -> detector -> moto SQS -> recognizer -> response queue"
  io=$(mktemp -d)
  chmod 755 "$io"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  moto_server -H 127.0.0.1 -p "$port" >"$cache/moto.log" 2>&1 &
  moto_pid=$!
  for _ in $(seq 1 100); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=1)" 2>/dev/null && break
    sleep 0.2
  done
  sqs_py="import boto3; sqs = boto3.client('sqs', endpoint_url='http://127.0.0.1:$port', region_name='eu-west-1', aws_access_key_id='x', aws_secret_access_key='x')"
  request_queue=$(python3 -c "$sqs_py; print(sqs.create_queue(QueueName='frs-request')['QueueUrl'])")
  response_queue=$(python3 -c "$sqs_py; print(sqs.create_queue(QueueName='frs-response')['QueueUrl'])")
  common=(--env AWS_REGION=eu-west-1 --env AWS_ACCESS_KEY_ID=x --env AWS_SECRET_ACCESS_KEY=x --env LOG_LEVEL=warn
    --volume "$io:/mnt/io:ro")

  python3 -c "
import base64, json, sys
body = json.dumps({'content': base64.b64encode(open(sys.argv[1], 'rb').read()).decode(), 'request_id': 'image-test-1', 'filename': '00.jpg'})
json.dump({'version': '2.0', 'rawPath': '/', 'headers': {'content-type': 'application/json'},
  'requestContext': {'http': {'method': 'POST', 'path': '/'}}, 'body': body, 'isBase64Encoded': False}, open(sys.argv[2], 'w'))" \
    "$probe" "$io/detector-event.json"
  chmod 644 "$io/detector-event.json"
  "${bah[@]}" run --isolation chroot "${common[@]}" --env "FRS_REQUEST_QUEUE_URL=$request_queue" \
    --env FRS_STANDIN_EVENT_FILE=/mnt/io/detector-event.json \
    "$c" -- /var/lang/bin/node /lambda-entrypoint.mjs detector/dist/handler.handler >"$cache/invoke-detector.log" 2>&1
  [[ $? -eq 0 ]] && grep -q '"handler".*"statusCode":20[0-9]' "$cache/invoke-detector.log"
  rc=$?
  grep '"handler"' "$cache/invoke-detector.log" || tail -c 800 "$cache/invoke-detector.log"
  record $rc "detector handler answers 2xx for a real photo through the runtime stand-in"

  python3 -c "
$sqs_py
import json, sys
msgs = sqs.receive_message(QueueUrl='$request_queue', MaxNumberOfMessages=10, WaitTimeSeconds=2, AttributeNames=['All']).get('Messages', [])
if not msgs or json.loads(msgs[0]['Body']).get('request_id') != 'image-test-1':
    sys.exit(1)
records = [{'messageId': m['MessageId'], 'receiptHandle': m['ReceiptHandle'], 'body': m['Body'], 'attributes': m.get('Attributes', {}),
            'messageAttributes': {}, 'md5OfBody': m['MD5OfBody'], 'eventSource': 'aws:sqs',
            'eventSourceARN': 'arn:aws:sqs:eu-west-1:123456789012:frs-request', 'awsRegion': 'eu-west-1'} for m in msgs]
json.dump({'Records': records}, open('$io/recognizer-event.json', 'w'))
print(f'{len(msgs)} job(s) on the request queue for image-test-1')"
  rc=$?
  record $rc "the detector in the image put a job for the photo on the request queue"

  enrol=$(mktemp -d)
  for person in Anthony_Hopkins John_Salley John_Savage; do
    mkdir -p "$enrol/$person"
    for f in "$faces/$person"/*.jpg; do [[ "$f" == "$probe" ]] || ln -s "$f" "$enrol/$person/"; done
  done
  if [[ $rc -ne 0 ]]; then
    record 1 "recognizer not run: no job reached the request queue"
  elif (cd "$root" && PATH="$toolchain/node_modules/.bin:$PATH" node --conditions=@frs/source \
    packages/cli/src/main.ts enrol "$enrol" --gallery "$io/gallery.json") >"$cache/enrol.log" 2>&1; then
    chmod 644 "$io"/*.json
    "${bah[@]}" run --isolation chroot "${common[@]}" --env "FRS_RESPONSE_QUEUE_URL=$response_queue" \
      --env FRS_GALLERY=/mnt/io/gallery.json --env FRS_STANDIN_EVENT_FILE=/mnt/io/recognizer-event.json \
      "$c" -- /var/lang/bin/node /lambda-entrypoint.mjs recognizer/dist/handler.handler >"$cache/invoke-recognizer.log" 2>&1
    rc=$?
    grep '"handler"' "$cache/invoke-recognizer.log" || tail -c 800 "$cache/invoke-recognizer.log"
    record $rc "recognizer handler processes the SQS batch through the runtime stand-in"
    python3 -c "
$sqs_py
import json, sys
msgs = sqs.receive_message(QueueUrl='$response_queue', MaxNumberOfMessages=10, WaitTimeSeconds=2).get('Messages', [])
text = msgs[0]['Body'] if msgs else ''
print(text[:400])
sys.exit(0 if 'image-test-1' in text and 'Anthony_Hopkins' in text else 1)"
    record $? "the recognizer in the image answered with Anthony_Hopkins on the response queue"
  else
    tail -5 "$cache/enrol.log" >&2
    record 1 "enrol a gallery on the host for the recognizer (pnpm models first)"
  fi
  kill "$moto_pid" 2>/dev/null
  wait "$moto_pid" 2>/dev/null
  rm -rf "$io" "$enrol"
fi

size=$("${bah[@]}" inspect --type image --format '{{.FromImage}}' "$image" >/dev/null 2>&1; "${bah[@]}" images --noheading --format '{{.Size}}' "$image" | head -1)
base=$("${bah[@]}" images --noheading --format '{{.Size}}' "$lambda_base" | head -1)
app_bytes=$("${bah[@]}" run --isolation chroot "$c" -- /var/lang/bin/node -e "
  const { readdirSync, lstatSync } = require('node:fs');
  let n = 0; const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) { const p = d + '/' + e.name; if (e.isDirectory()) walk(p); else n += lstatSync(p).size; } };
  walk('/var/task'); console.log(n);
")
log "image $image: $size (stand-in base $base); /var/task holds $((app_bytes / 1000000)) MB"
[[ $app_bytes -le 350000000 ]]
record $? "application layers ($((app_bytes / 1000000)) MB in /var/task) within the 350 MB budget"
finish
