#!/usr/bin/env bash
# The benchmark suite (not part of CI: too noisy there). Installs wrk, hey and Locust (Debian) when missing, builds in Release,
# runs every scenario, prints the tables and writes artifacts/bench/summary.json; then the BenchmarkDotNet
# micro-benchmarks of the SSE parser, the remote_write encoder and request preparation (artifacts/bench/micro).
#   bash scripts/bench.sh [--quick] [--only capacity,streaming,accuracy,dispatch,memory,encoding,simulator,workloads,page,verdicts,soak,servermetrics,connections,shards] [--minutes M]
#                         [--simulator URL] [--no-micro]
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v hey >/dev/null 2>&1 || need+=(hey)
command -v locust >/dev/null 2>&1 || need+=(python3-locust)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} (Debian packages)"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

micro=1
args=()
for arg in "$@"; do
  if [ "$arg" = "--no-micro" ]; then micro=0; else args+=("$arg"); fi
done

dotnet build benchmarks/GuidellmFunctions.Benchmarks -c Release -nologo -clp:ErrorsOnly
# The shards scenario drives the CLI's enqueue and worker processes.
dotnet build src/Cli -c Release -nologo -clp:ErrorsOnly
bench=benchmarks/GuidellmFunctions.Benchmarks/bin/Release/net10.0/GuidellmFunctions.Benchmarks.dll
dotnet "$bench" "${args[@]}"
if [ "$micro" = 1 ]; then
  dotnet "$bench" micro --filter '*' --job short --artifacts artifacts/bench/micro
fi
