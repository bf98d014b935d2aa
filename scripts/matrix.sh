#!/usr/bin/env bash
# npm run matrix [-- --matrix NAME|FILE] [--filter REGEX] [--shard i/n] [--jobs N] [--fresh]
# Runs the conversion matrix (suites/boot/matrix.test.ts), then writes reports/matrix.md, the
# offline Allure report reports/allure/ and JUnit reports/junit-matrix[-i-of-n].xml.
# --fresh also deletes allure-results/ first (by default it is kept: scripts/test.sh puts the unit
# and images results there too). Exit status: vitest's (non-zero when a cell failed), or 2 for a bad option.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; }
die() { printf 'matrix: %s\n' "$*" >&2; exit 2; }

matrix=smoke filter="" shard="" jobs="" fresh=0
while (($#)); do
  case "$1" in
    --matrix) matrix=${2:?--matrix needs a name (smoke, nightly) or a file}; shift 2 ;;
    --filter) filter=${2?--filter needs a regular expression}; shift 2 ;;
    --shard) shard=${2:?--shard needs i/n, e.g. 2/4}; shift 2 ;;
    --jobs) jobs=${2:?--jobs needs a number}; shift 2 ;;
    --fresh) fresh=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
done
[[ -z $shard || $shard =~ ^[0-9]+/[0-9]+$ ]] || die "--shard $shard: write i/n, e.g. --shard 2/4"
[[ -z $jobs || $jobs =~ ^[1-9][0-9]*$ ]] || die "--jobs $jobs: give a whole number of at least 1"

# Parallel cells: each holds a TCG guest or a libguestfs appliance (up to 2 GiB) and a core.
# Default: one job per two cores; never more than cores or than available memory / 2 GiB.
cores=$(nproc)
avail_kib=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
mem_cap=$((avail_kib / (2 * 1024 * 1024)))
((mem_cap >= 1)) || mem_cap=1
want=${jobs:-$(((cores / 2) > 0 ? cores / 2 : 1))}
cap=$((cores < mem_cap ? cores : mem_cap))
if ((want > cap)); then
  printf 'matrix: --jobs %s lowered to %s (%s cores, %s GiB available at 2 GiB per cell)\n' "$want" "$cap" "$cores" "$((avail_kib / 1048576))" >&2
  want=$cap
fi

say() { printf 'matrix: %s\n' "$*"; }
say "compiling (the cells run node dist/cli.js)"
npx tsc -p tsconfig.json

rm -rf reports/cells reports/allure
if ((fresh)); then rm -rf allure-results; fi
mkdir -p reports

suffix=${shard:+-${shard/\//-of-}}
export V2V_MATRIX=$matrix V2V_FILTER=$filter V2V_SHARD=$shard V2V_JOBS=$want
export V2V_JUNIT=reports/junit-matrix${suffix}.xml # read by vitest.config.ts
export TESTCONTAINERS_RYUK_DISABLED=true # Ryuk's image cannot be pulled here

# The shard is applied by the test file (V2V_SHARD, by cell name), not by vitest --shard, which
# splits test *files* and would leave every shard but one with nothing to run.
say "matrix=$matrix filter=${filter:-none} shard=${shard:-all} jobs=$want"
set +e
npx vitest run --project boot suites/boot/matrix.test.ts --maxConcurrency="$want"
status=$?
set -e

subtitle="matrix $matrix; filter ${filter:-none}; shard ${shard:-all}; $(date -u +%Y-%m-%dT%H:%MZ)"
node dist/harness/bin/report-cli.js --cells reports/cells --out reports/matrix.md --subtitle "$subtitle" || status=1
if [[ -d allure-results ]]; then
  npx allure generate allure-results -o reports/allure >/dev/null && say "Allure report: reports/allure/index.html" \
    || say "allure generate failed; the raw results are in allure-results/"
fi
say "JUnit: $V2V_JUNIT; summary: reports/matrix.md"
exit "$status"
