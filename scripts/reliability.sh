#!/usr/bin/env bash
# npm run reliability: the hostile-input corpus and the fault injections, as one table.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
exec node dist/harness/bin/reliability-cli.js "$@"
