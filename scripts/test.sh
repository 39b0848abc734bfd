#!/usr/bin/env bash
# The project's test command (README; .ci/run calls it). On a fresh machine it also sets up:
#   0. npm ci (when node_modules is missing or older than package-lock.json) and a build of dist/
#   1. lint: eslint and tsc (strict, tests included)
#   2. unit tests (no server)
#   3. build the test servers from Go modules if not cached (scripts/test-server.sh build all), then
#      rebuild the two smallest into an empty cache dir (Go caches warm): the cold path, every run
#   3b. PostgreSQL from Debian's postgresql package, installed when missing (the database secrets
#      engine's tests start their own server from it: test/servers/postgres.ts)
#   4. harness self-check: a dead server fails a run fast; no server outlives the runner
#   5. integration tests against real dev servers: Vault, OpenBao, then Vault with -dev-tls
#   6. the fault suite (kills, seal, rate limit, token expiry, a 3-node Raft cluster), once, on Vault
#   7. the files that use optional tools no project script can install (vault-sidekick), once more
#      with those tools hidden (VAULT_GITOPS_HIDE_OPTIONAL_TOOLS=1): the path a fresh machine takes
# Every stage runs even when an earlier one failed (a stage that cannot run without an earlier one,
# such as the integration runs without built servers, is reported as failed); the end lists every
# failed stage and the exit status is non-zero if any failed. The last line totals every test run:
# "tests: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

t0=$SECONDS
results=$(mktemp -d "${TMPDIR:-/tmp}/vault-gitops-results.XXXXXX")
failures=()
failure_logs=()
stages=0
finish() {
  node scripts/sum-test-results.mjs "$results"
  if ((${#failures[@]})); then
    # A CI log shows only its end: repeat there why each failed stage failed.
    local i
    for i in "${!failures[@]}"; do
      printf '\n\033[1m--- %s: its last %d lines ---\033[0m\n' "${failures[$i]}" 40
      tail -n 40 "${failure_logs[$i]}" | grep -v '^ *[✓↓] ' || true
    done
    printf '\n\033[1mFAILED stages (%d):\033[0m\n' "${#failures[@]}"
    printf '  - %s\n' "${failures[@]}"
    rm -rf "$results"
    exit 1
  fi
  rm -rf "$results"
}
trap finish EXIT
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
# Runs one stage; a failure is recorded and the next stage runs.
# Its output is also kept (process substitution: the command runs in this shell, and no server it
# leaves behind can hold a pipe open) so that the end of the run can repeat a failed stage's end.
stage() { # name command...
  local name=$1 log rc=0 out tee_pid; shift
  stages=$((stages + 1))
  log=$results/stage-$stages.log
  step "$name ($((SECONDS - t0))s so far)"
  exec {out}> >(tee "$log")
  tee_pid=$!
  "$@" >&"$out" 2>&1 || rc=$?
  exec {out}>&-
  # tee ends when every writer has closed; a process the stage left running may still hold the
  # pipe, so wait for tee's last lines a little, never for that process
  for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$tee_pid" 2>/dev/null || break; sleep 0.1; done
  if ((rc != 0)); then
    echo "stage failed: $name (exit $rc)"
    failures+=("$name")
    failure_logs+=("$log")
    return 1
  fi
}
run=0
vitest() {
  run=$((run + 1))
  node node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json="$results/$run.json" "$@"
}
integration() { # server tls [vitest args...]
  local server=$1 tls=$2; shift 2
  VAULT_GITOPS_TEST_SERVER=$server VAULT_GITOPS_TEST_TLS=$tls vitest "$@"
}
servers_paths() {
  scripts/test-server.sh build all || return 1
  for s in vault openbao kube-apiserver etcd; do printf '%s: %s\n' "$s" "$(scripts/test-server.sh path "$s")" || return 1; done
}
# Debian's postgresql package when no server is installed (/usr/lib/postgresql/<version>/bin); needs
# root, as CI has. `apt-get update` only when the package lists do not know the package yet. The
# package's own cluster is not created: the tests start theirs.
postgres_installed() { compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null && compgen -G '/usr/lib/postgresql/*/bin/psql' >/dev/null; }
postgres_package() {
  if postgres_installed; then echo "postgresql: $(ls -d /usr/lib/postgresql/*/bin | tr '\n' ' ')"; return 0; fi
  (( EUID == 0 )) || { echo "PostgreSQL is not installed and this is not root: apt-get install postgresql" >&2; return 1; }
  if [[ ! -e /etc/postgresql-common/createcluster.conf ]]; then
    mkdir -p /etc/postgresql-common && echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf
  fi
  if ! apt-cache show postgresql >/dev/null 2>&1; then apt-get update -qq || return 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null || return 1
  postgres_installed && echo "postgresql: installed $(ls -d /usr/lib/postgresql/*/bin | tr '\n' ' ')"
}

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  # Nothing else can run without the dependencies.
  stage "npm ci" npm ci --no-audit --no-fund --loglevel=error || exit
fi
stage "build" npm run --silent build && echo "build: ok"
stage "lint: eslint + tsc" npm run --silent lint && echo "lint: ok"
stage "unit tests" vitest --project unit
stage "test servers (built from Go modules once, then cached)" servers_paths
stage "cold-cache check: the build path a fresh machine takes" scripts/check-cold-build.sh
stage "PostgreSQL (Debian's postgresql package, installed when missing)" postgres_package
stage "harness self-check" scripts/check-server-death.sh

for target in vault openbao vault+tls; do
  server=${target%+tls}
  tls=0; [[ $target == *+tls ]] && tls=1
  stage "integration tests: $server$([[ $tls == 1 ]] && echo ' with -dev-tls')" integration "$server" "$tls" --project integration
done

stage "fault suite and HA cluster: vault" integration vault 0 --project faults

# The files whose tests use a tool that no project script can install: run again as a fresh machine
# would, with those tools hidden, so their skip path is tested here even when this machine has them.
mapfile -t optional < <(grep -rlE 'sidekickMissing' test/integration --include='*.test.ts' | sort)
hidden() { VAULT_GITOPS_HIDE_OPTIONAL_TOOLS=1 integration vault 0 --project integration "${optional[@]}"; }
stage "optional tools hidden (VAULT_GITOPS_HIDE_OPTIONAL_TOOLS=1): ${optional[*]}" hidden
