#!/usr/bin/env bash
# Installs what berth's tests and demo need on a Debian machine: Debian packages (when
# missing, as root) and Go tools. Safe to run again; it installs only what is missing.
set -euo pipefail

packages=(
  iproute2        # ip, for tests that inspect kernel objects
  nftables        # nft, for tests that inspect berth's rules
  busybox-static  # test and example images are built from it
  docker-registry # a real registry server for pull tests
  apache2-utils   # htpasswd, for the auth-protected registry test
  util-linux      # unshare, nsenter (tests)
  musl-tools      # musl-gcc: builds the container shim (engine/shim) static and small
  debootstrap     # the Debian base image of examples/realstack
  etcd-server     # etcd, the store of the kube-apiserver that checks `berth convert`'s manifests
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing Debian packages (${missing[*]}); run as root to install them" >&2
  else
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # The registry package starts a system service; tests run their own on a loopback port.
    systemctl disable --now docker-registry >/dev/null 2>&1 || true
    # So does etcd's; the convert test runs its own on loopback ports.
    systemctl disable --now etcd >/dev/null 2>&1 || true
  fi
fi

go mod download
