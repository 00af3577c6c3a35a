#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this). Needs only the .NET SDK; installs anything else it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

# Real services the integration tests start on free loopback ports: Prometheus and VictoriaMetrics from Debian.
need=()
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v victoria-metrics >/dev/null 2>&1 || need+=(victoria-metrics)
# kubectl renders deploy/keda (its built-in kustomize); the machine image ships it, apt is the fallback.
command -v kubectl >/dev/null 2>&1 || need+=(kubectl)
# Real network peers of the HTTP client's tests: a TLS ingress (nginx, HAProxy), a forward proxy, a vLLM-style SSE server.
[ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ -x /usr/sbin/haproxy ] || need+=(haproxy)
[ -x /usr/bin/tinyproxy ] || [ -x /usr/sbin/tinyproxy ] || need+=(tinyproxy)
/usr/bin/python3 -c 'import uvicorn' >/dev/null 2>&1 || need+=(python3-uvicorn)
# Chromium (headless) opens the HTML reports in the page tests; it needs one font to draw their text.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -n "$(find /usr/share/fonts -name '*.[ot]tf' -print -quit 2>/dev/null)" ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} (Debian packages)"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Azurite (npm) for the archive tests, in the work tree (.tools/ is ignored by git).
if [ ! -x .tools/azurite/node_modules/.bin/azurite ]; then
  echo "installing azurite (npm)"
  npm install --prefix .tools/azurite --no-audit --no-fund --loglevel=error azurite@3.37.0 >/dev/null
fi

# Manifest schemas (npm kubernetes-models, KEDA, prometheus-operator) for the deploy tests, pinned by the lock file.
if [ ! -f deploy/validate/node_modules/kubernetes-models/package.json ]; then
  echo "installing manifest schemas (npm)"
  npm ci --prefix deploy/validate --no-audit --no-fund --loglevel=error >/dev/null
fi

# The Bicep CLI from NuGet (Azure.Bicep.CommandLine.linux-x64), its binary copied to tools/bicep/bicep.
if [ ! -x tools/bicep/bicep ]; then
  echo "installing the Bicep CLI (NuGet)"
  dotnet restore tools/bicep/bicep.csproj -nologo >/dev/null
  packages=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
  version=$(sed -n 's/.*"Azure.Bicep.CommandLine.linux-x64" Version="\[\(.*\)\]".*/\1/p' tools/bicep/bicep.csproj)
  install -m 755 "$packages/azure.bicep.commandline.linux-x64/$version/tools/bicep" tools/bicep/bicep
fi

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
