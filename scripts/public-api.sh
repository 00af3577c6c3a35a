#!/usr/bin/env bash
# Brings src/Engine/PublicAPI.Unshipped.txt up to date from the build's PublicApiAnalyzers diagnostics: adds what RS0016
# names (public but not listed), drops what RS0017 names (listed but gone). Run it after changing the public API on
# purpose, then review the diff.
set -euo pipefail
cd "$(dirname "$0")/.."
api=src/Engine/PublicAPI.Unshipped.txt
out=$(dotnet build src/Engine/GuidellmFunctions.Engine.csproj -c Release -nologo -v q --no-incremental -p:TreatWarningsAsErrors=false 2>&1 || true)
removed=$(grep -oE "RS0017: Symbol '.*' is part of the declared API" <<<"$out" \
  | sed -E "s/^RS0017: Symbol '(.*)' is part of the declared API$/\1/" | sort -u || true)
{
  if [ -n "$removed" ]; then grep -vxF -f <(echo "$removed") "$api" || true; else cat "$api"; fi
  grep -oE "RS0016: Symbol '.*' is not part of the declared public API" <<<"$out" \
    | sed -E "s/^RS0016: Symbol '(.*)' is not part of the declared public API$/\1/"
} | grep -v '^#nullable enable$' | sort -u | { echo '#nullable enable'; cat; } > "$api.new"
mv "$api.new" "$api"
echo "$(($(wc -l < "$api") - 1)) symbols in $api"
