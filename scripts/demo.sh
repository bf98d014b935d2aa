#!/usr/bin/env bash
# npm run demo: the main job on the default input. Builds (or reuses) the reference Debian 12
# guest made VMware-like and packaged as an OVA, then converts it: v2v -i ova ... -o local.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "demo: getting the reference OVA (built from Debian packages on first use, ~10 min under TCG; cached after)"
ova=$(node dist/harness/bin/ensure-ova-cli.js "${1:-debian-12-bios}")
out=out/demo
rm -rf "$out" && mkdir -p "$out"
echo "demo: v2v -i ova $ova -o local -os $out"
node dist/cli.js -i ova "$ova" -o local -os "$out"
echo "demo: done; the converted guest is in $out:"
ls -l "$out"
