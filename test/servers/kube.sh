# shellcheck shell=bash
# kube-apiserver and etcd for the Kubernetes sink's integration tests, built from Go modules at the
# versions pinned in versions.env (KUBE section). Sourced by scripts/test-server.sh, which defines
# $bin_dir, $log_dir, $cache_root and die() before sourcing this file.
#
#   kube_build_one kube-apiserver|etcd   build if needed (serialised on the shared build lock), print the path

# k8s.io/kubernetes replaces every k8s.io/* staging module with ./staging/src/..., which a dependent
# module cannot use. The wrapper repeats each of those replace lines with the published module of
# the same release (k8s.io/api v0.34.4 for Kubernetes v1.34.4), read from the release's own go.mod.
kube_write_apiserver_wrapper() { # dir
  local dir=$1 gomod
  gomod=$(cd "$dir" && go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" |
          sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
  [[ -f $gomod ]] || die "could not download k8s.io/kubernetes@$KUBE_VERSION from the module proxy"
  {
    echo "module vaultgitops.local/kubeapiserver"
    echo
    echo "go 1.24.0"
    echo
    # Kubernetes builds with this godebug default; keep its runtime behaviour.
    echo "godebug default=go1.24"
    echo
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo
    echo "replace ("
    sed -n 's#^[[:space:]]*\(k8s\.io/[A-Za-z0-9._-]*\) => \./staging/src/.*$#\t\1 => \1 '"$KUBE_STAGING_VERSION"'#p' "$gomod"
    echo ")"
  } >"$dir/go.mod"
  grep -q 'k8s.io/apimachinery =>' "$dir/go.mod" || die "no staging replace directives found in $gomod"
  cat >"$dir/main.go" <<'GO'
// kube-apiserver, exactly as k8s.io/kubernetes/cmd/kube-apiserver builds it.
package main

import (
	"os"
	_ "time/tzdata"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() { os.Exit(cli.Run(app.NewAPIServerCommand())) }
GO
}

# etcd's server module replaces api/client/pkg with ../ paths; its require lines name the published
# versions of the same release, which is what a dependent module gets anyway.
kube_write_etcd_wrapper() { # dir
  local dir=$1
  cat >"$dir/go.mod" <<MOD
module vaultgitops.local/etcd

go 1.24.0

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
MOD
  cat >"$dir/main.go" <<'GO'
// etcd, as go.etcd.io/etcd/v3's main.go builds it.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
}

kube_build_one() { # kube-apiserver|etcd → prints path
  local name=$1 label out
  case "$name" in
    kube-apiserver) label=$KUBE_VERSION ;;
    etcd) label=$ETCD_VERSION ;;
    *) die "unknown kube server '$name'" ;;
  esac
  out=$bin_dir/$name-$label
  # In a subshell: its EXIT trap removes the temp dir on every path (die included) and no trap
  # leaks into the caller.
  [[ -x $out ]] || (kube_build_into "$name" "$label" "$out") || exit 1
  echo "$out"
}

kube_build_into() { # name label out (runs in a subshell)
  local name=$1 label=$2 out=$3 dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/vault-gitops-build-$name.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$dir'" EXIT
  local log=$log_dir/build-$name-$label.log start=$SECONDS
  export GOFLAGS=-mod=mod GOTOOLCHAIN=local
  # Resolve and download modules before taking the lock: it is network and disk, not CPU, and
  # another server's compile may hold the lock for many minutes.
  if ! (case "$name" in
          kube-apiserver) kube_write_apiserver_wrapper "$dir" ;;
          etcd) kube_write_etcd_wrapper "$dir" ;;
        esac && cd "$dir" && go mod tidy && go mod download) >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "resolving modules for $name failed; full log: $log"
  fi

  exec 9>"$cache_root/build.lock"
  flock 9
  [[ -x $out ]] && return 0
  echo "test-server: building $name $label (first time only; log: $log)" >&2
  local build_start=$SECONDS ldflags='-s -w'
  if [[ $name == kube-apiserver ]]; then
    # What `hack/lib/version.sh` stamps, so /version reports the release instead of v0.0.0-master.
    local v=${KUBE_VERSION#v} pkg=k8s.io/component-base/version
    ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=${v%%.*} -X $pkg.gitMinor=$(cut -d. -f2 <<<"$v")"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  fi
  if ! (cd "$dir" && go build -trimpath -ldflags="$ldflags" -o "$out.tmp" .) >>"$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "building $name failed; full log: $log"
  fi
  mv "$out.tmp" "$out"
  echo "test-server: built $name $label in $((SECONDS - start))s ($((SECONDS - build_start))s compiling)" >&2
}
