#!/usr/bin/env bash
# The build path a fresh machine takes, exercised on every test run: OpenBao (scripts/test-server.sh's
# own build), versitygw (its plain-module build) and etcd (test/servers/kube.sh's) are built into an
# EMPTY cache directory. The Go module
# and build caches stay warm, so this costs seconds, not the cold minutes, yet it runs every line a
# newcomer's first run does (wrapper module, lock, temp dir, traps under `set -u`, exit status).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cold=$(mktemp -d "${TMPDIR:-/tmp}/vault-gitops-cold.XXXXXX")
trap 'rm -rf "$cold"' EXIT
fail() { echo "check-cold-build: FAIL: $*" >&2; [[ -f $cold/out ]] && tail -n 20 "$cold/out" >&2; exit 1; }

for s in openbao versitygw etcd; do
  start=$SECONDS
  path=$(VAULT_GITOPS_CACHE=$cold/cache scripts/test-server.sh path "$s" 2>"$cold/out") ||
    fail "scripts/test-server.sh path $s exited $? with an empty cache"
  [[ $path == "$cold/cache/bin/"* && -x $path ]] || fail "$s: printed '$path', not a binary in the new cache"
  "$path" --version >/dev/null 2>&1 || "$path" version >/dev/null 2>&1 || fail "$s: the built binary does not run"
  grep -qi 'unbound variable' "$cold/out" && fail "$s: the script reported an unbound variable"
  leftovers=$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name "vault-gitops-build-$s.*" -newer "$cold" 2>/dev/null || true)
  [[ -z $leftovers ]] || fail "$s: temp build dir left behind: $leftovers"
  echo "check-cold-build: $s built into an empty cache in $((SECONDS - start))s; exit 0; no temp dir left"
done
