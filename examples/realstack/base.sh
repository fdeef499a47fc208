#!/bin/sh
# base.sh: make the image debian:bookworm that this stack's Dockerfiles start FROM, with
# no registry: a minimal Debian bookworm rootfs made by debootstrap from Debian's mirror,
# imported into berth's store with `berth image import`, configured as Docker's official
# debian image is (PATH, CMD bash). The rootfs tarball is kept in a cache dir, so that the
# next run only imports it.
#
#   sudo examples/realstack/base.sh
#
# BERTH (default bin/berth), DEBIAN_MIRROR (default http://deb.debian.org/debian) and
# BERTH_EXAMPLES_CACHE (default /var/cache/berth-examples) change the defaults.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
berth=${BERTH:-$here/../../bin/berth}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${BERTH_EXAMPLES_CACHE:-/var/cache/berth-examples}
tarball=$cache/debian-bookworm-minbase.tar

if [ ! -s "$tarball" ]; then
	command -v debootstrap >/dev/null || {
		echo "base.sh: debootstrap is missing: apt-get install debootstrap" >&2
		exit 1
	}
	mkdir -p "$cache"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	echo "base.sh: debootstrap --variant=minbase bookworm from $mirror (a minute or two)"
	debootstrap --variant=minbase bookworm "$tmp/rootfs" "$mirror" >"$tmp/debootstrap.log" 2>&1 || {
		tail -20 "$tmp/debootstrap.log" >&2
		exit 1
	}
	rm -rf "$tmp/rootfs/var/cache/apt/archives/"*.deb "$tmp/rootfs/var/lib/apt/lists/"*
	tar -C "$tmp/rootfs" -cf "$tarball.tmp" .
	mv "$tarball.tmp" "$tarball"
fi
"$berth" image import \
	-c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
	-c 'CMD ["bash"]' \
	"$tarball" debian:bookworm
