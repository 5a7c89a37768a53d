#!/usr/bin/env bash
# Measures the dev stack: seconds from `dotnet run --project AppHost` to every service healthy behind the gateway,
# and the peak resident memory of the whole process tree (AppHost, DCP, servers, services) over 30 s of idling. Needs curl, bc, ss.
#   bash bench/stack-startup.sh      (after ./run.sh --prepare-only and a build)
set -euo pipefail
cd "$(dirname "$0")/.."
export Infrastructure__DataDirectory="${TMPDIR:-/tmp}/access-platform-startup-$$"
start=$(date +%s.%N)
setsid dotnet run --project AppHost --no-build --launch-profile http >/tmp/stack-startup.log 2>&1 &
pid=$!
trap 'kill -- -$pid 2>/dev/null; sleep 3; rm -rf "$Infrastructure__DataDirectory"' EXIT
# The gateway waits for login-api and sso-api, which wait for Postgres, Redis and RabbitMQ; the worker is checked too.
until [ "$(curl -s -m 2 http://localhost:8080/health)" = "Healthy" ] && curl -sf -m 2 -o /dev/null http://localhost:8025/; do sleep 0.2; done
worker=""
until [ -n "$worker" ]; do
  for port in $(ss -ltnp | awk '/Notifications.W/ {split($4,a,":"); print a[length(a)]}' | sort -u); do
    [ "$(curl -s -m 2 "http://127.0.0.1:$port/health")" = "Healthy" ] && worker=$port
  done
  sleep 0.2
done
healthy=$(date +%s.%N)
printf 'time to healthy: %.1f s\n' "$(echo "$healthy - $start" | bc)"
peak=0
for _ in $(seq 30); do
  # DCP starts some processes outside the AppHost's tree: count the stack's processes by name.
  rss=$(ps -eo rss=,args= | grep -E 'AppHost|/dcp|postgres|redis-server|beam.smp|epmd|Smtp4dev|Gateway|Login.Api|Sso.Api|Notifications.Worker|TwilioSink' \
        | grep -v grep | awk '{s+=$1} END {print s}')
  [ "$rss" -gt "$peak" ] && peak=$rss
  sleep 1
done
printf 'peak memory of the whole stack: %d MiB\n' $((peak / 1024))
