#!/usr/bin/env bash
# Builds terraform-provider-vault from its source for `npm run bench -- --compare terraform`, keeping the
# source and the binary outside the repo (~/.cache/vault-gitops), and prints the binary's path.
#
#   scripts/terraform-provider-vault.sh            build if needed, print the path
#   TFVP_GIT=/path/to/clone-or-mirror scripts/terraform-provider-vault.sh   build from a local copy
#
# The Go module proxy only serves the provider at v1.9.0, so it is built from its repository at a tag.
# vault-plugin-auth-oci v0.21.3 (a dependency of that tag) is refused by the proxy; v0.21.1 builds.
set -euo pipefail

ref=${TFVP_REF:-v5.11.0}
git_url=${TFVP_GIT:-https://github.com/hashicorp/terraform-provider-vault.git}
cache_root=${VAULT_GITOPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vault-gitops}
src=$cache_root/src/terraform-provider-vault-$ref
bin=$cache_root/bin/terraform-provider-vault-$ref/terraform-provider-vault_${ref#v}
log=$cache_root/logs/terraform-provider-vault-$ref.log

if [[ -x $bin ]]; then echo "$bin"; exit 0; fi
command -v go >/dev/null || { echo "terraform-provider-vault: go is not installed (needs the Go version in the provider's go.mod)" >&2; exit 1; }
mkdir -p "$cache_root/src" "$(dirname "$bin")" "$cache_root/logs"

if [[ ! -f $src/go.mod ]]; then
  rm -rf "$src.tmp"
  if [[ -d $git_url && ! -d $git_url/.git && -f $git_url/HEAD ]]; then
    # A bare repository or mirror: export the tag's tree.
    mkdir -p "$src.tmp"
    git -C "$git_url" archive "$ref" | tar -x -C "$src.tmp"
  else
    git clone --quiet --depth 1 --branch "$ref" "$git_url" "$src.tmp"
  fi
  mv "$src.tmp" "$src"
fi

echo "terraform-provider-vault: building $ref (nice 19; several minutes; log: $log)" >&2
(
  cd "$src"
  go mod edit -replace github.com/hashicorp/vault-plugin-auth-oci=github.com/hashicorp/vault-plugin-auth-oci@v0.21.1
  GOFLAGS=-mod=mod nice -n 19 go build -trimpath -o "$bin.tmp" .
) >"$log" 2>&1 || { echo "terraform-provider-vault: build failed, see $log" >&2; tail -20 "$log" >&2; exit 1; }
mv "$bin.tmp" "$bin"
echo "$bin"
