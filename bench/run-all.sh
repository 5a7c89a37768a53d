#!/usr/bin/env bash
# Every benchmark table of bench/README.md from one command, on a quiet machine:
#   bash bench/run-all.sh [--seconds 15]      (about 15 minutes at the default 15 s per level)
# 1. builds the solution (Debug, for the dev stack) and the bench (Release: the services it starts are Release);
# 2. LoginBench: this platform and the ASP.NET Core Identity peer side by side, CPU per login per process, the
#    production set's memory, code delivery by SMS and email;
# 3. stack-startup.sh: cold start (AppHost, and ./run.sh) and the dev stack's memory.
# Tables go to the console and to bench/results/<date>.md; resource logs to the files each part names.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
out="bench/results/$(date -u +%Y-%m-%d-%H%M).md"
./run.sh --prepare-only >/dev/null
dotnet build AccessPlatform.sln -v q -nologo >/dev/null
dotnet build -c Release bench/LoginBench -v q -nologo >/dev/null
{
  echo "# Benchmark run $(date -u '+%Y-%m-%d %H:%M') UTC — \`bash bench/run-all.sh $*\`"
  echo
  dotnet run -c Release --no-build --project bench/LoginBench -- "$@"
  bash bench/stack-startup.sh
} | tee "$out"
echo
echo "tables saved to $out"
