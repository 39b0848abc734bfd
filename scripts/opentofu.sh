#!/usr/bin/env bash
# Builds OpenTofu from its module source for `npm run bench -- --compare terraform`, keeping the source and
# the binary outside the repo (~/.cache/vault-gitops), and prints the binary's path.
#
#   scripts/opentofu.sh                   build if needed, print the path
#   TOFU_REF=v1.12.6 scripts/opentofu.sh  another release
#
# `go install github.com/opentofu/opentofu/cmd/tofu@...` refuses the module's replace directives, so the
# module is downloaded from the Go module proxy and built inside a writable copy of it, where they apply.
set -euo pipefail

ref=${TOFU_REF:-v1.12.6}
module=github.com/opentofu/opentofu
cache_root=${VAULT_GITOPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vault-gitops}
src=$cache_root/src/opentofu-$ref
bin=$cache_root/bin/opentofu-$ref/tofu
log=$cache_root/logs/opentofu-$ref.log

if [[ -x $bin ]]; then echo "$bin"; exit 0; fi
command -v go >/dev/null || { echo "opentofu: go is not installed (needs the Go version in OpenTofu's go.mod)" >&2; exit 1; }
mkdir -p "$cache_root/src" "$(dirname "$bin")" "$cache_root/logs"
trap 'rm -rf "$src.tmp" "$bin.tmp"' EXIT

echo "opentofu: building $ref (nice 19; many minutes on a cold cache; log: $log)" >&2
(
  if [[ ! -f $src/go.mod ]]; then
    rm -rf "$src.tmp"
    dir=$(cd / && go mod download -json "$module@$ref" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
    [[ -n $dir && -f $dir/go.mod ]] || { echo "go mod download $module@$ref gave no module directory"; exit 1; }
    # The module cache is read-only; the copy must be writable for go build to update go.sum if needed.
    cp -r "$dir" "$src.tmp"
    chmod -R u+w "$src.tmp"
    mv "$src.tmp" "$src"
  fi
  cd "$src"
  # As OpenTofu's release builds do (its .goreleaser.yaml): no cgo, stripped, and dev=no, which drops the
  # "-dev" marker so `tofu version` reports the release as it is.
  CGO_ENABLED=0 nice -n 19 go build -trimpath -ldflags "-s -w -X $module/version.dev=no" -o "$bin.tmp" ./cmd/tofu
) >"$log" 2>&1 || { echo "opentofu: build failed, see $log" >&2; tail -20 "$log" >&2; exit 1; }
mv "$bin.tmp" "$bin"
echo "$bin"
