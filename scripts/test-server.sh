#!/usr/bin/env bash
# Builds the test servers from Go modules at the versions pinned in test/servers/versions.env,
# caches the binaries outside the repo, and prints their paths.
#
#   scripts/test-server.sh path vault|openbao      build if needed, print the binary's path
#   scripts/test-server.sh path kube-apiserver|etcd   (the Kubernetes sink's test servers; test/servers/kube.sh)
#   scripts/test-server.sh path versitygw          (the S3 sink's test server; test/servers/s3.ts)
#   scripts/test-server.sh build all               build every server (quiet; logs on failure)
#   scripts/test-server.sh dev vault|openbao       run a dev server in the foreground (root token "root")
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../test/servers/versions.env
source "$here/test/servers/versions.env"

cache_root=${VAULT_GITOPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vault-gitops}
bin_dir=$cache_root/bin
log_dir=$cache_root/logs
mkdir -p "$bin_dir" "$log_dir"

die() { echo "test-server: $*" >&2; exit 1; }
# shellcheck source=../test/servers/kube.sh
source "$here/test/servers/kube.sh"

# A wrapper module: Vault/OpenBao carry `replace` directives for their own api/sdk modules, which a
# dependent module ignores, so the wrapper requires the published versions instead and its main
# calls the server's own command entry point.
write_wrapper() { # dir module-path version main-import extra-requires...
  local dir=$1 mod=$2 ver=$3 cmd=$4; shift 4
  mkdir -p "$dir"
  {
    echo "module vaultgitops.local/testserver"
    echo
    echo "go 1.25"
    echo
    echo "require ("
    echo "	$mod $ver"
    for r in "$@"; do echo "	$r"; done
    echo ")"
  } >"$dir/go.mod"
  cat >"$dir/main.go" <<GO
package main

import (
	"os"

	"$cmd"
)

func main() { os.Exit(command.Run(os.Args[1:])) }
GO
}

# Pinned go.sum lines (versions.env) for modules the checksum database has no entry for: they go
# into the wrapper's go.sum, and only those modules skip the database (go checks them against go.sum).
pin_sums() { # dir go.sum-lines; sets nosumdb (build_one's) for GONOSUMDB
  printf '%s\n' "$2" | sed '/^$/d' >>"$1/go.sum"
  nosumdb=$(printf '%s\n' "$2" | awk 'NF { print $1 }' | sort -u | paste -sd, -)
}

build_one() { # name → prints path
  local name=$1 out label dir
  case "$name" in
    vault) label=$VAULT_VERSION ;;
    openbao) label=$OPENBAO_LABEL ;;
    versitygw) label=$VERSITYGW_VERSION ;;
    kube-apiserver|etcd) kube_build_one "$name"; return ;;
    *) die "unknown server '$name' (expected vault, openbao, versitygw, kube-apiserver or etcd)" ;;
  esac
  out=$bin_dir/$name-$label
  if [[ -x $out ]]; then echo "$out"; return; fi

  # In a subshell: its EXIT trap removes the temp dir on every path (die included), and no trap
  # that names a function-local variable outlives the function (under set -u it would fail the
  # whole script at exit: "dir: unbound variable").
  (build_into "$name" "$label" "$out") || exit 1
  echo "$out"
}

build_into() { # name label out (runs in a subshell)
  local name=$1 label=$2 out=$3 dir ldflags='' nosumdb='' pkg=.
  dir=$(mktemp -d "${TMPDIR:-/tmp}/vault-gitops-build-$name.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$dir'" EXIT
  case "$name" in
    vault)
      write_wrapper "$dir" github.com/hashicorp/vault "$VAULT_VERSION" github.com/hashicorp/vault/command \
        "github.com/hashicorp/vault/api/auth/approle $VAULT_API_AUTH_APPROLE_VERSION" \
        "github.com/hashicorp/vault/api/auth/userpass $VAULT_API_AUTH_USERPASS_VERSION" \
        "github.com/hashicorp/vault/api/auth/kubernetes $VAULT_API_AUTH_KUBERNETES_VERSION"
      # Vault's replace directives, repeated by the main module: its in-tree api/sdk become the
      # same commit's pseudo-versions (hashes pinned in versions.env), third-party forks as is.
      cat >>"$dir/go.mod" <<MOD

replace github.com/hashicorp/vault/api => github.com/hashicorp/vault/api $VAULT_API_VERSION
replace github.com/hashicorp/vault/sdk => github.com/hashicorp/vault/sdk $VAULT_SDK_VERSION
replace github.com/99designs/keyring => github.com/Jeffail/keyring v1.2.3
replace github.com/ma314smith/signedxml v1.1.1 => github.com/moov-io/signedxml v1.1.1
MOD
      pin_sums "$dir" "$VAULT_PINNED_SUMS"
      ;;
    openbao)
      write_wrapper "$dir" github.com/openbao/openbao "$OPENBAO_VERSION" github.com/openbao/openbao/command \
        "github.com/openbao/openbao/api/v2 $OPENBAO_API_VERSION" \
        "github.com/openbao/openbao/sdk/v2 $OPENBAO_SDK_VERSION"
      pin_sums "$dir" "$OPENBAO_PINNED_SUMS"
      # Its version is normally stamped by the release build (else "2.0.0-HEAD").
      ldflags="-X github.com/openbao/openbao/version.fullVersion=${OPENBAO_LABEL#v}"
      ldflags+=" -X github.com/openbao/openbao/version.GitCommit=$OPENBAO_COMMIT"
      ;;
    versitygw)
      # A plain module (no replace directives): its command package is built as a dependency.
      cat >"$dir/go.mod" <<MOD
module vaultgitops.local/s3server

go 1.25

require github.com/versity/versitygw $VERSITYGW_VERSION
MOD
      # The tools.go pattern: never compiled, it keeps `go mod tidy` from dropping the requirement.
      printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/versity/versitygw/cmd/versitygw"\n' >"$dir/tools.go"
      pkg=github.com/versity/versitygw/cmd/versitygw
      ldflags="-X main.Version=$VERSITYGW_VERSION"
      ;;
  esac

  local log=$log_dir/build-$name-$label.log start=$SECONDS
  # Two cores: builds run one at a time, whoever asks (parallel test runs, helpers, CI).
  exec 9>"$cache_root/build.lock"
  flock 9
  [[ -x $out ]] && return 0
  echo "test-server: building $name $label (first time only; log: $log)" >&2
  # tidy -e: the tests of dependencies may import modules the proxy does not serve; the build
  # itself then fails clearly if something it needs is missing.
  if ! (cd "$dir" && export GOFLAGS=-mod=mod GOTOOLCHAIN=local GONOSUMDB=$nosumdb &&
        go mod tidy -e && go build -trimpath -ldflags="-s -w $ldflags" -o "$out.tmp" "$pkg") >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "building $name failed; full log: $log"
  fi
  mv "$out.tmp" "$out"
  echo "test-server: built $name $label in $((SECONDS - start))s" >&2
}

cmd=${1:-}; what=${2:-}
case "$cmd" in
  path) build_one "$what" ;;
  build)
    if [[ $what == all || -z $what ]]; then for s in vault openbao etcd kube-apiserver versitygw; do build_one "$s" >/dev/null; done
    else build_one "$what" >/dev/null; fi ;;
  dev)
    bin=$(build_one "$what")
    exec "$bin" server -dev -dev-root-token-id=root -dev-listen-address="${DEV_LISTEN:-127.0.0.1:8200}" ;;
  *) sed -n '2,8p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
esac
