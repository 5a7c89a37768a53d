#!/usr/bin/env bash
# Cold start and memory of the dev stack, on a built tree (dotnet build AccessPlatform.sln; ./run.sh --prepare-only):
#   1. seconds from `dotnet run --project AppHost --no-build` to every service healthy (gateway with both APIs behind
#      it, the worker, the mail catcher), then the proportional set size (PSS, /proc/<pid>/smaps_rollup) of every
#      process of the stack after 30 s of idling, per process and summed; then the same start again on the same data
#      folder (a developer's usual F5);
#   2. seconds from `./run.sh` (its checks, tool restore and dotnet run's build check) to the same point.
# Needs the dev ports free (gateway 8080, mail 8025, dashboard 18888). Prints markdown tables; the stack's output goes
# to a log file named at the end.
#   bash bench/stack-startup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
log=${TMPDIR:-/tmp}/stack-startup-$$.log
: >"$log"

# Every service answers 200 on /health (a JSON report): the gateway, and Login.Api, Sso.Api and the worker on the
# ports their processes listen on; the mail catcher's page loads.
healthy() {
  curl -sf -m 2 -o /dev/null http://localhost:8080/health || return 1
  curl -sf -m 2 -o /dev/null http://localhost:8025/ || return 1
  local name port ok
  for name in Login.Api Sso.Api Notifications.W; do
    ok=1
    for port in $(ss -ltnp | awk -v n="\"$name" 'index($0, n) {split($4,a,":"); print a[length(a)]}' | sort -u); do
      curl -sf -m 2 -o /dev/null "http://127.0.0.1:$port/health" && { ok=0; break; }
    done
    [ "$ok" = 0 ] || return 1
  done
}

# Every process of the stack: below the started command, or naming this tree or this run's data folder.
stack_pids() {
  local started=$1 data=$2 p anc
  for d in /proc/[0-9]*; do
    p=${d#/proc/}
    if tr '\0' ' ' 2>/dev/null <"$d/cmdline" | grep -qF -e "$root/" -e "$data"; then echo "$p"; continue; fi
    if tr '\0' '\n' 2>/dev/null <"$d/environ" | grep -qF "$data"; then echo "$p"; continue; fi
    anc=$p
    while [ -n "$anc" ] && [ "$anc" -gt 1 ]; do
      [ "$anc" = "$started" ] && { echo "$p"; break; }
      anc=$(awk '{print $4}' "/proc/$anc/stat" 2>/dev/null || true)
    done
  done | sort -un
}

# Runs one start; sets $elapsed to the seconds to healthy; leaves the stack running (pid in $started). Not called in
# $(...): a subshell's $started would not reach stop_stack.
start_stack() {
  export Infrastructure__DataDirectory="${TMPDIR:-/tmp}/access-platform-startup-$$-$1"
  local begin; begin=$(date +%s.%N)
  shift
  setsid "$@" >>"$log" 2>&1 &
  started=$!
  until healthy; do
    kill -0 "$started" 2>/dev/null || { echo "the stack exited; see $log" >&2; exit 1; }
    sleep 0.2
  done
  elapsed=$(echo "$(date +%s.%N) - $begin" | bc)
}

# Stops the running stack; its data folder is removed unless the argument is "keep" (for a warm start after it).
stop_stack() {
  kill -- -"$started" 2>/dev/null || true
  while kill -0 "$started" 2>/dev/null; do sleep 0.5; done
  sleep 3
  [ "${1:-}" = keep ] || rm -rf "$Infrastructure__DataDirectory"
}
if curl -s -m 2 -o /dev/null http://localhost:8080/; then
  echo "something already answers on localhost:8080 (a running dev stack?): stop it first" >&2
  exit 1
fi
started=
trap '[ -n "$started" ] && stop_stack 2>/dev/null || true' EXIT

start_stack direct dotnet run --project AppHost --no-build --launch-profile http
direct=$elapsed
sleep 30
declare -A kind
total=0
for p in $(stack_pids "$started" "$Infrastructure__DataDirectory"); do
  pss=$(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || true)
  [ -n "$pss" ] || continue
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")
  case "$cmd" in
    *"/Gateway/bin/"*) k=Gateway ;; *"/Login.Api/bin/"*) k=Login.Api ;; *"/Sso.Api/bin/"*) k=Sso.Api ;;
    *"/Notifications.Worker/bin/"*) k=Notifications.Worker ;; *"/TwilioSink/bin/"*) k="TwilioSink (dev SMS sink)" ;;
    *"/AppHost/bin/"*) k=AppHost ;; *Aspire.Dashboard*|*aspire.dashboard*) k="dashboard" ;; *"/dcp"*) k="DCP" ;;
    *smtp4dev*|*Rnwood*) k="smtp4dev (dev mail catcher)" ;; *postgres*) k=Postgres ;; *redis-server*) k=Redis ;;
    *beam*|*epmd*|*erl_child*|*inet_gethost*) k=RabbitMQ ;; *"dotnet run"*|*"dotnet exec"*|*MSBuild*) k="dotnet run / build wrappers" ;;
    *) k="other ($(cat /proc/$p/comm 2>/dev/null))" ;;
  esac
  kind[$k]=$(( ${kind[$k]:-0} + pss )); total=$((total + pss))
done
stop_stack keep

# The developer's usual F5: the same data folder again (databases, queues and the key ring already there).
start_stack direct dotnet run --project AppHost --no-build --launch-profile http
warm=$elapsed
stop_stack

start_stack runsh ./run.sh
viarun=$elapsed
stop_stack
trap - EXIT

echo
echo "| cold start (built tree, local processes) | seconds to every service healthy | goal |"
echo "|---|---:|---|"
printf '| `dotnet run --project AppHost --no-build`, first start (fresh data folder: initdb, first broker boot, every migration) | %.1f | ≤ 20 |\n' "$direct"
printf '| `dotnet run --project AppHost --no-build`, again on the same data folder | %.1f | ≤ 20 |\n' "$warm"
printf '| `./run.sh` (its checks, tool restore, build check, then a first start) | %.1f | |\n' "$viarun"
echo
echo "| dev stack after 30 s idle (\`dotnet run --project AppHost\`, Debug builds, dashboard) | PSS MiB |"
echo "|---|---:|"
for k in "${!kind[@]}"; do printf '| %s | %d |\n' "$k" $(( kind[$k] / 1024 )); done | sort
printf '| **whole dev stack** (goal ≤ 1536) | **%d** |\n' $((total / 1024))
echo
echo "stack output: $log"
