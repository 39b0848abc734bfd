#!/usr/bin/env bash
# Proves the integration harness's safety properties against a real dev server:
#   1. the server dies mid-run  → the run fails fast, with the reason, and nothing is left running;
#   2. the test runner is SIGKILLed → the watchdog stops the server; nothing is left running;
#   3. the same with the fault suite's 3-node Raft cluster running (started by a test worker);
#   4. the same with a PostgreSQL test server running (test/servers/postgres.ts);
#   5. the same with an S3 test server running (test/servers/s3.ts).
# Uses test/integration/harness/server-death.test.ts, test/integration/faults/harness/cluster-death.test.ts,
# test/integration/harness/postgres.test.ts and test/integration/harness/s3.test.ts. Same env vars as the integration tests
# (VAULT_GITOPS_TEST_SERVER, VAULT_GITOPS_TEST_TLS). Prints one line per check; exit 1 on failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=$(mktemp -d "${TMPDIR:-/tmp}/vault-gitops-death.XXXXXX")
export TMPDIR=$out # the runs keep their server dirs (logs) on failure: remove them with ours
trap 'rm -rf "$out"' EXIT
test_file=test/integration/harness/server-death.test.ts
fail() { echo "check-server-death: FAIL: $*" >&2; [[ -f $out/log ]] && tail -n 40 "$out/log" >&2; exit 1; }

pids() { sed -n 's/.*harness-check pids: //p' "$out/log" | head -n 1; }
wait_gone() { # waits, with a pause between looks, until none of PIDS exists (15 s at most)
  local i
  for i in $(seq 1 60); do
    gone_now "$@" && return 0
    sleep 0.25
  done
  return 1
}
# A zombie counts as gone: it has exited and holds nothing (no port, no file, no memory); it only
# waits for its parent to read its status. An orphan's parent is the machine's init, and an init
# that never reaps (some CI containers' PID 1) would otherwise keep every orphan "alive" forever.
gone_now() {
  local p state
  for p in "$@"; do
    state=$(ps -o stat= -p "$p" 2>/dev/null) || continue
    [[ $state == Z* ]] || return 1
  done
  return 0
}

# 1. Kill the server mid-run.
start=$SECONDS
set +e
VAULT_GITOPS_TEST_KILL=server node node_modules/vitest/vitest.mjs run --project integration "$test_file" >"$out/log" 2>&1
rc=$?
set -e
(( rc != 0 )) || fail "the run passed although the server was killed"
grep -q 'killed by SIGKILL during the run' "$out/log" || fail "no clear 'server killed' message"
! grep -qi 'timed out' "$out/log" || fail "a test timed out instead of failing at once"
read -r -a ids <<<"$(pids | sed 's/[a-z]*=//g')"
(( ${#ids[@]} == 3 )) || fail "the test did not report the server's pid"
wait_gone "${ids[0]}" "${ids[1]}" || fail "left behind: $(ps -o pid=,stat=,args= -p "${ids[0]},${ids[1]}" || true)"
echo "check-server-death: server killed mid-run → run failed in $((SECONDS - start))s with the reason; no process left"

# 2. SIGKILL the test runner while a test runs (3: while a worker runs the Raft cluster).
kill_runner() { # mode project test-file what
  local runner left p
  start=$SECONDS
  VAULT_GITOPS_TEST_KILL=$1 node node_modules/vitest/vitest.mjs run --project "$2" "$3" >"$out/log" 2>&1 &
  runner=$!
  for _ in $(seq 1 1200); do [[ -n $(pids) ]] && break; kill -0 "$runner" 2>/dev/null || break; sleep 0.1; done
  [[ -n $(pids) ]] || { kill -KILL "$runner" 2>/dev/null || true; fail "the test did not start"; }
  read -r -a ids <<<"$(pids | sed 's/[a-z0-9-]*=//g')"
  kill -KILL "$runner"
  wait "$runner" 2>/dev/null || true
  if ! wait_gone "${ids[@]}"; then
    left=$(ps -o pid=,stat=,args= -p "$(IFS=,; echo "${ids[*]}")" || true)
    for p in "${ids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    fail "left behind after the runner was killed: $left"
  fi
  echo "check-server-death: test runner SIGKILLed → $4 gone in $((SECONDS - start))s"
}
kill_runner runner integration "$test_file" 'server, watchdog and worker'
kill_runner cluster-runner faults test/integration/faults/harness/cluster-death.test.ts '3 Raft nodes, their watchdogs and the worker'
kill_runner postgres-runner integration test/integration/harness/postgres.test.ts 'postgres, its watchdog and the worker'
kill_runner s3-runner integration test/integration/harness/s3.test.ts 'the S3 server (versitygw), its watchdog and the worker'
