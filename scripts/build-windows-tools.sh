#!/usr/bin/env bash
# Compile the Windows programs v2v installs into converted guests (today: the first-boot service,
# src/converters/windows/firstboot/service.c) with mingw-w64, for both Windows architectures:
#   dist/windows-tools/x86_64/v2vfirstboot.exe   (PE32+, AMD64)
#   dist/windows-tools/i386/v2vfirstboot.exe     (PE32, i386)
# Without mingw-w64 it says so in one line and exits 0: the TypeScript build still works, and
# the converter refuses Windows guests that need first boot, naming the missing file.
set -euo pipefail
cd "$(dirname "$0")/.."

src=src/converters/windows/firstboot/service.c
targets=("x86_64:x86_64-w64-mingw32-gcc" "i386:i686-w64-mingw32-gcc")

for t in "${targets[@]}"; do
  if ! command -v "${t#*:}" >/dev/null; then
    echo "build-windows-tools: ${t#*:} not found, so dist/windows-tools/ is not built (Windows guests that need first boot will be refused); install it: apt-get install gcc-mingw-w64-x86-64-win32 gcc-mingw-w64-i686-win32"
    exit 0
  fi
done

for t in "${targets[@]}"; do
  arch=${t%%:*} cc=${t#*:}
  out=dist/windows-tools/$arch/v2vfirstboot.exe
  mkdir -p "${out%/*}"
  # -municode: wmain; -s: no symbols; --no-insert-timestamp: the same source gives the same bytes.
  # A console program: the SCM starts it without a console, and --run-once prints to one.
  "$cc" -std=c11 -Wall -Wextra -Werror -O2 -municode -s -static-libgcc \
    -Wl,--no-insert-timestamp -o "$out.tmp.$$" "$src" -ladvapi32
  mv -f "$out.tmp.$$" "$out" # a concurrent build never sees half a file
done
echo "build-windows-tools: built dist/windows-tools/{x86_64,i386}/v2vfirstboot.exe"
