#!/usr/bin/env bash
# The project's test command (`npm test`; .ci/run calls it):
#   1. lint: eslint and tsc (strict, tests included)
#   2. unit tests (no server)
#   3. build the test servers from Go modules if not cached (scripts/test-server.sh build all)
#   4. harness self-check: a dead server fails a run fast; no server outlives the runner
#   5. integration tests against real dev servers: Vault, OpenBao, then Vault with -dev-tls
# Stops at the first failure (non-zero exit), so the last lines are the failing step's output.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

t0=$SECONDS
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
vitest() { node node_modules/vitest/vitest.mjs run "$@"; }

step "lint: eslint + tsc"
npm run --silent lint && echo "lint: ok"

step "unit tests"
vitest --project unit

step "test servers (built from Go modules once, then cached)"
scripts/test-server.sh build all
for s in vault openbao; do printf '%s: %s\n' "$s" "$(scripts/test-server.sh path "$s")"; done

step "harness self-check"
scripts/check-server-death.sh

for run in vault openbao vault+tls; do
  server=${run%+tls}
  tls=0; [[ $run == *+tls ]] && tls=1
  step "integration tests: $server$([[ $tls == 1 ]] && echo ' with -dev-tls') ($((SECONDS - t0))s so far)"
  VAULT_GITOPS_TEST_SERVER=$server VAULT_GITOPS_TEST_TLS=$tls vitest --project integration
done
