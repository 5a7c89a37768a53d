#!/usr/bin/env bash
# Runs the whole stack: installs what is missing, then starts the Aspire AppHost.
#   ./run.sh                 set up, then run (dashboard http://localhost:18888, gateway http://localhost:8080)
#   ./run.sh --prepare-only  set up only (test.sh and CI use this)
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  # policy-rc.d keeps Debian from starting system-wide servers we do not use: the AppHost runs its own.
  local own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null; as_root chmod +x /usr/sbin/policy-rc.d; own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
  if [ "$own_policy" = 1 ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
}

container_runtime() {
  for runtime in docker podman; do
    if command -v "$runtime" >/dev/null 2>&1 && timeout 10 "$runtime" info >/dev/null 2>&1; then return 0; fi
  done
  return 1
}

mode="${Infrastructure__Mode:-Auto}"
if [ "$mode" = "Local" ] || { [ "$mode" != "Containers" ] && ! container_runtime; }; then
  echo "run.sh: no container runtime answers; infrastructure runs as local processes"
  missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql-15)
  command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
  if [ ${#missing[@]} -gt 0 ]; then echo "run.sh: installing ${missing[*]}"; apt_install "${missing[@]}"; fi
fi

if [ "${WITH_BROWSER:-0}" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  echo "run.sh: installing chromium for the browser tests"; apt_install chromium
fi

# The SAML unit tests encrypt assertions with an implementation independent of .NET: xmlsec1 (Debian's, OpenSSL).
if [ "${WITH_XMLSEC:-0}" = 1 ] && ! command -v xmlsec1 >/dev/null 2>&1; then
  echo "run.sh: installing xmlsec1 for the SAML encryption tests"; apt_install xmlsec1
fi

# The manifest tests render deploy/kubernetes with `kubectl kustomize`; Debian's kubernetes-client (kubectl 1.20,
# kustomize 2.0.3) is enough: the kustomizations use only fields it knows.
if [ "${WITH_KUBECTL:-0}" = 1 ] && ! command -v kubectl >/dev/null 2>&1; then
  echo "run.sh: installing kubectl (kubernetes-client) for the manifest tests"; apt_install kubernetes-client
fi

dotnet tool restore >/dev/null

if [ "${1:-}" = "--prepare-only" ]; then exit 0; fi
# Anything after ./run.sh is AppHost configuration, e.g. --Replicas:login-api=2.
exec dotnet run --project AppHost --launch-profile http -- "$@"
