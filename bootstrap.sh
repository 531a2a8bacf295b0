#!/usr/bin/env bash
# One entry point for a fresh machine that has only Node >= 20 and npm:
#   bash bootstrap.sh start   -> install everything, build the models, run the local stack
#   bash bootstrap.sh test    -> install everything, build the models, run every test suite
#   bash bootstrap.sh setup   -> install everything and build the models only
# Node 22 (>= 22.18, the first 22.x that runs .ts files by type stripping without a flag) and pnpm 10 are
# installed from the npm registry into a private folder when the machine's Node is older, so nothing
# system-wide is touched.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

toolchain="${FRS_TOOLCHAIN:-${XDG_CACHE_HOME:-$HOME/.cache}/frs-toolchain}"
node_spec="node@22"
pnpm_spec="pnpm@$(node -p "require('./package.json').packageManager.split('@')[1]" 2>/dev/null || echo 10)"

log() { printf '\033[1m[frs]\033[0m %s\n' "$*" >&2; }

node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=18)?0:1)'
}

ensure_toolchain() {
  export PATH="$toolchain/node_modules/.bin:$PATH"
  if ! node_ok || ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version 2>/dev/null)" != 10.* ]]; then
    command -v npm >/dev/null 2>&1 || { log "npm is required (Node >= 20 with npm)"; exit 1; }
    log "installing $node_spec and $pnpm_spec into $toolchain"
    mkdir -p "$toolchain"
    [[ -f "$toolchain/package.json" ]] || echo '{"private":true}' >"$toolchain/package.json"
    npm install --prefix "$toolchain" --no-audit --no-fund --loglevel=error "$node_spec" "$pnpm_spec" >&2
    hash -r
  fi
  node_ok || { log "could not get Node >= 22.18 (have $(node --version 2>/dev/null || echo none))"; exit 1; }
  log "node $(node --version), pnpm $(pnpm --version)"
}

install_deps() {
  export ONNXRUNTIME_NODE_INSTALL=skip
  # --frozen-lockfile: a fresh machine gets exactly the versions that were tested.
  pnpm install --frozen-lockfile --reporter=append-only >&2
  log "building models (cached by turbo)"
  pnpm run models >&2
}

run_tests() {
  local results=.test-results
  rm -rf "$results" packages/*/.test-results models/.test-results
  mkdir -p "$results"
  local status=0 check
  # Lint and types are part of the suite: a Biome or tsc error fails the run like a failing test.
  for check in lint typecheck; do
    log "pnpm $check"
    if pnpm run "$check" >"$results/$check.log" 2>&1; then
      echo "PASS $check" >>"$results/checks.log"
    else
      tail -40 "$results/$check.log" >&2
      echo "FAIL $check" >>"$results/checks.log"
      status=1
    fi
  done
  log "running vitest suites"
  FRS_TEST_JSON=1 pnpm exec turbo run test --concurrency=1 --continue --output-logs=full || status=1
  if [[ -f infra/test.sh ]]; then
    log "running infrastructure checks"
    if command -v terraform >/dev/null 2>&1; then
      bash infra/test.sh | tee "$results/infra.log" || status=1
    else
      log "terraform is not on PATH: infrastructure checks skipped (CI has it)"
    fi
  fi
  node scripts/test-summary.ts "$results/checks.log" "$results/infra.log" || status=1
  return $status
}

# The console's browser tests drive Debian's chromium through playwright-core (which downloads no browser).
ensure_chromium() {
  if [[ -x /usr/bin/chromium ]]; then return 0; fi
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian's chromium for the console's browser tests"
    if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2; then return 0; fi
  fi
  log "chromium is not installed and cannot be installed here (needs root and apt-get): the console's browser tests will be skipped"
}

cmd="${1:-}"
case "$cmd" in
  setup) ensure_toolchain; install_deps ;;
  start) ensure_toolchain; install_deps; shift; exec node --disable-warning=ExperimentalWarning --conditions=@frs/source packages/local/src/main.ts "$@" ;;
  # The test suite also covers the optional 512-d embedder, so it builds every model.
  test) ensure_toolchain; export FRS_MODELS=all; install_deps; ensure_chromium; run_tests ;;
  *) echo "usage: bash bootstrap.sh start|test|setup" >&2; exit 2 ;;
esac
