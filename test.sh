#!/usr/bin/env bash
# Runs the same set-up as run.sh (plus Chromium for the browser tests, kubectl for the manifest tests and xmlsec1 for the SAML encryption tests), then every test of the solution.
# The integration tests start the whole stack themselves through the AppHost, on random ports and a data folder
# of their own, so they run beside a dev stack.
set -euo pipefail
cd "$(dirname "$0")"
WITH_BROWSER=1 WITH_KUBECTL=1 WITH_XMLSEC=1 ./run.sh --prepare-only
# The SSO tests' identity provider (samlify) comes from npm, pinned by its lockfile.
if [ ! -d tests/saml-idp/node_modules ]; then npm ci --no-audit --no-fund --prefix tests/saml-idp; fi
rm -rf TestResults
exec dotnet test AccessPlatform.sln --logger "trx" --results-directory TestResults "$@"
