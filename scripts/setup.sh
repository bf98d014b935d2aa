#!/usr/bin/env bash
# Install what v2v and its harness need on Debian 12, idempotently: apt packages that are
# missing, npm packages when package-lock.json changed, then compile. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }

APT_PACKAGES=(
  qemu-system-x86 qemu-utils        # qemu for TCG boots, qemu-img for overlays and copies
  libguestfs-tools linux-image-amd64 # guestfish and the appliance's kernel
  debootstrap ovmf                   # reference guests from Debian packages; UEFI firmware
  docker.io                          # the boot suite's containers (no registry: images are built here)
  libvirt-clients libxml2-utils      # virt-xml-validate (a wrapper around xmllint) for NAME.xml
  initramfs-tools-core zstd          # lsinitramfs, to read initramfs images copied out of guests
  libhivex-bin libwin-hivex-perl gcc-mingw-w64-x86-64-win32 gcc-mingw-w64-i686-win32 xorriso fdisk dosfstools # phony Windows guests: registry hives, PE stubs, sfdisk and mkfs.fat for their partitions
  rpm busybox-static                 # stand-in RPM guests: rpmbuild, rpm --root for their database, busybox's applets
  wine64                             # runs v2vfirstboot.exe --run-once in the unit suite (~100 MB download, ~700 MB installed)
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  [[ $p == \#* ]] && continue
  # A Docker engine from elsewhere (docker-ce on CI runners) conflicts with docker.io: keep it.
  [[ $p == docker.io ]] && command -v dockerd >/dev/null && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) != 0 ]]; then
    say "missing Debian packages: ${missing[*]}; run this as root (apt-get install) and try again" >&2
    exit 1
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null || say "apt-get update reported errors (some sources unreachable); carrying on"
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
else
  say "Debian packages present"
fi

# npm: install when node_modules is missing or older than the lock file.
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
else
  say "npm packages present"
fi

say "compiling TypeScript"
npx tsc -p tsconfig.json
scripts/build-windows-tools.sh
