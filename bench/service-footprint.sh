#!/usr/bin/env bash
# Proportional set size (PSS) and RSS of the platform's service processes, sampled every 2 s from
# /proc/<pid>/smaps_rollup while something else drives the stack; prints the maximum per service when stopped (Ctrl-C)
# or after the given number of seconds. Usage: bench/service-footprint.sh [seconds] [path filter, default: this tree]
set -uo pipefail
seconds=${1:-60}
filter=${2:-$(cd "$(dirname "$0")/.." && pwd)}
declare -A pss rss
report() {
  printf '%-22s %10s %10s\n' service "max PSS MiB" "max RSS MiB"
  for svc in "${!pss[@]}"; do printf '%-22s %10d %10d\n' "$svc" $((pss[$svc] / 1024)) $((rss[$svc] / 1024)); done
  exit 0
}
trap report INT TERM
end=$((SECONDS + seconds))
while [ $SECONDS -lt $end ]; do
  for d in /proc/[0-9]*; do
    cmd=$(tr '\0' ' ' < "$d/cmdline" 2>/dev/null) || continue
    case "$cmd" in *"$filter"*) ;; *) continue ;; esac
    for svc in Gateway Login.Api Sso.Api Notifications.Worker Migrations; do
      case "$cmd" in *"/$svc/bin/"*"/$svc "*|*"/$svc/bin/"*"/$svc") ;; *) continue ;; esac
      p=$(awk '/^Pss:/{print $2}' "$d/smaps_rollup" 2>/dev/null); r=$(awk '/^Rss:/{print $2}' "$d/smaps_rollup" 2>/dev/null)
      [ -n "$p" ] || continue
      [ "${pss[$svc]:-0}" -lt "$p" ] && pss[$svc]=$p
      [ "${rss[$svc]:-0}" -lt "$r" ] && rss[$svc]=$r
    done
  done
  sleep 2
done
report
