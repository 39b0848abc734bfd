#!/usr/bin/env bash
# Quickstart on a fresh machine: installs dependencies, builds the tool and a pinned Vault from Go
# modules (first time only), starts a local dev Vault, and runs validate → plan → apply → plan on
# config-examples/ (base + staging). The dev server is stopped at the end; nothing else is touched.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

server=${VAULT_GITOPS_TEST_SERVER:-vault}
[[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
bin=$(scripts/test-server.sh path "$server")

work=$(mktemp -d "${TMPDIR:-/tmp}/vault-gitops-quickstart.XXXXXX")
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
token=$(node -e 'console.log(require("crypto").randomUUID())')
"$bin" server -dev -dev-root-token-id="$token" -dev-listen-address="127.0.0.1:$port" >"$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT

export VAULT_ADDR="http://127.0.0.1:$port" VAULT_TOKEN="$token"
for _ in $(seq 100); do
  curl -fsS "$VAULT_ADDR/v1/sys/health" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { cat "$work/server.log"; echo "quickstart: the dev server exited" >&2; exit 1; }
  sleep 0.2
done

cli() { echo; echo "\$ vault-gitops $*"; node dist/bin/vault-gitops.js "$@"; }
cfg=(-c config-examples/base -c config-examples/environments/staging)
cd "$work" && ln -s "$OLDPWD/config-examples" config-examples && ln -s "$OLDPWD/dist" dist
cli validate "${cfg[@]}"
cli plan "${cfg[@]}"
cli apply "${cfg[@]}" --auto-approve
cli plan "${cfg[@]}" --detailed-exitcode
echo
echo "Quickstart done: $server dev server at $VAULT_ADDR converged; generated credentials went to $work/out (0600) and are deleted with it."
