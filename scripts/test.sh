#!/usr/bin/env bash
# The project's test command (README; .ci/run calls it). On a fresh machine it also sets up:
#   0. npm ci (when node_modules is missing or older than package-lock.json) and a build of dist/
#   1. lint: eslint and tsc (strict, tests included)
#   2. unit tests (no server)
#   3. build the test servers from Go modules if not cached (scripts/test-server.sh build all), then
#      rebuild the two smallest into an empty cache dir (Go caches warm): the cold path, every run
#   4. harness self-check: a dead server fails a run fast; no server outlives the runner
#   5. integration tests against real dev servers: Vault, OpenBao, then Vault with -dev-tls
#   6. the fault suite (kills, seal, rate limit, token expiry, a 3-node Raft cluster), once, on Vault
# Stops at the first failure (non-zero exit). The last line totals every test run:
# "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

t0=$SECONDS
results=$(mktemp -d "${TMPDIR:-/tmp}/vault-gitops-results.XXXXXX")
trap 'node scripts/sum-test-results.mjs "$results"; rm -rf "$results"' EXIT
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
run=0
vitest() {
  run=$((run + 1))
  node node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json="$results/$run.json" "$@"
}

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  step "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
step "build"
npm run --silent build && echo "build: ok"

step "lint: eslint + tsc"
npm run --silent lint && echo "lint: ok"

step "unit tests"
vitest --project unit

step "test servers (built from Go modules once, then cached)"
scripts/test-server.sh build all
for s in vault openbao kube-apiserver etcd; do printf '%s: %s\n' "$s" "$(scripts/test-server.sh path "$s")"; done

step "cold-cache check: the build path a fresh machine takes"
scripts/check-cold-build.sh

step "harness self-check"
scripts/check-server-death.sh

for target in vault openbao vault+tls; do
  server=${target%+tls}
  tls=0; [[ $target == *+tls ]] && tls=1
  step "integration tests: $server$([[ $tls == 1 ]] && echo ' with -dev-tls') ($((SECONDS - t0))s so far)"
  VAULT_GITOPS_TEST_SERVER=$server VAULT_GITOPS_TEST_TLS=$tls vitest --project integration
done

step "fault suite and HA cluster: vault ($((SECONDS - t0))s so far)"
VAULT_GITOPS_TEST_SERVER=vault VAULT_GITOPS_TEST_TLS=0 vitest --project faults
