#!/usr/bin/env bash
# npm run bench: speed, disk I/O and memory of v2v against Debian's virt-v2v, same input, same run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [[ -z ${V2V_BENCH_NO_VIRT_V2V:-} ]] && ! command -v virt-v2v >/dev/null; then
  echo "bench: installing Debian's virt-v2v (with nbdcopy from libnbd-bin and nbdkit, which it needs but does not pull in) for the comparison"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends virt-v2v libnbd-bin nbdkit >/dev/null
fi
exec node dist/bench/bench.js
