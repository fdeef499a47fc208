#!/usr/bin/env bash
# kube-apiserver.sh: builds a real kube-apiserver from the k8s.io/kubernetes Go module (the
# release below, as served by the Go module proxy) for berth's `convert` integration test,
# and prints the binary's path. The binary is cached under a stable directory
# ($BERTH_KUBE_CACHE, default ~/.cache/berth/kube), so a second run does not rebuild.
#
# The module's zip leaves out its staging/ modules (each has a go.mod of its own), which
# its go.mod replaces by path; the build copies the module into the cache, puts each
# staging module there from the proxy at the matching v0.x release, and builds with the
# module's own go.mod (workspace off). berth's go.mod is never touched.
set -euo pipefail

release="${KUBE_RELEASE:-v1.37.2}"
staging_release="v0${release#v1}" # k8s.io/kubernetes v1.37.2 ships k8s.io/api v0.37.2
cache="${BERTH_KUBE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/var/cache}/.cache}/berth/kube}/$release"
bin="$cache/bin/kube-apiserver"

if [[ -x "$bin" ]]; then
	echo "$bin"
	exit 0
fi
# One build at a time (tests of several worktrees may ask at once); the second waits
# and finds the binary.
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [[ -x "$bin" ]]; then
	echo "$bin"
	exit 0
fi

moddir() { # moddir MODULE@VERSION: the module's directory in the module cache
	(cd / && go mod download -json "$1") | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'
}

src="$cache/src"
rm -rf "$src"
mkdir -p "$src" "$cache/bin"
echo "kube-apiserver.sh: copying k8s.io/kubernetes@$release" >&2
cp -r "$(moddir "k8s.io/kubernetes@$release")/." "$src/"
chmod -R u+w "$src"
rm -rf "$src/vendor" "$src/go.work" "$src/go.work.sum"

# Each "k8s.io/X => ./staging/src/k8s.io/X" of go.mod gets the module's served release.
# A staging module that is not published (samples) is never built: it gets a go.mod only.
for mod in $(sed -n 's#^\s*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/.*#\1#p' "$src/go.mod"); do
	dst="$src/staging/src/$mod"
	mkdir -p "$dst"
	if dir=$(moddir "$mod@$staging_release" 2>/dev/null) && [[ -n "$dir" ]]; then
		cp -r "$dir/." "$dst/"
		chmod -R u+w "$dst"
	else
		echo "kube-apiserver.sh: $mod@$staging_release is not served; go.mod only" >&2
		printf 'module %s\n\ngo 1.26.0\n' "$mod" >"$dst/go.mod"
	fi
done

echo "kube-apiserver.sh: building kube-apiserver (several minutes on 2 cores)" >&2
(cd "$src" && GOWORK=off GOFLAGS="${GOFLAGS:-} -mod=mod" CGO_ENABLED=0 go build -trimpath -o "$bin.tmp" ./cmd/kube-apiserver)
mv -f "$bin.tmp" "$bin"
rm -rf "$src"
echo "$bin"
