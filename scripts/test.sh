#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this). Needs only the .NET SDK; installs anything else it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

dotnet build GuidellmFunctions.sln -c Release -nologo -clp:ErrorsOnly
set +e
# One test project at a time (-m:1): the latency-accuracy tests must not share the 2 cores with another project.
dotnet test GuidellmFunctions.sln -c Release --no-build -nologo -m:1 --blame-hang-timeout 5m --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line over all test projects, in the plain form CI reads.
count() { { grep -E "^ +$1: [0-9]+\$" "$log" || true; } | awk '{s+=$2} END {print s+0}'; }
passed=$(count Passed)
failed=$(count Failed)
skipped=$(count Skipped)
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
