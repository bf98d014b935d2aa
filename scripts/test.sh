#!/usr/bin/env bash
# The test command (README, .ci/run): installs what is missing, then runs the unit suite, the
# images suite (real libguestfs), the reliability suite (hostile inputs, fuzzing, faults) and the
# smoke matrix (real conversions booted under qemu in containers), and writes reports/ (JUnit,
# matrix.md, Allure HTML).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

export TESTCONTAINERS_RYUK_DISABLED=true
rm -rf allure-results reports/junit*.xml reports/cells
mkdir -p reports

status=0
echo "== typecheck (src and suites)"
npx tsc -p tsconfig.suites.json || status=1
echo "== unit suite"
V2V_JUNIT=reports/junit-unit.xml npx vitest run --project unit || status=1
echo "== images suite (reference guests, conversions, read-only checks through libguestfs)"
V2V_JUNIT=reports/junit-images.xml npx vitest run --project images || status=1
echo "== reliability suite (hostile-input corpus, fuzzing, fault injection, with the real CLI)"
V2V_JUNIT=reports/junit-reliability.xml npx vitest run --project reliability || status=1
echo "== boot suite: the unconverted reference guest boots on IDE and must not boot on virtio"
V2V_JUNIT=reports/junit-boot.xml npx vitest run --project boot suites/boot/reference-guest.test.ts || status=1
echo "== smoke matrix (convert, check, boot under qemu in a container, negative controls)"
scripts/matrix.sh --matrix smoke || status=1
exit $status
