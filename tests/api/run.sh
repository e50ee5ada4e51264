#!/usr/bin/env bash
# The contract test: lints openapi.yaml, then replays a booking session through
# a Prism validating proxy in front of the real server. Usage: run.sh BINARY
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="$(realpath "$1")"
cd "$here"
if [ ! -x node_modules/.bin/prism ] || [ ! -x node_modules/.bin/redocly ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
node_modules/.bin/redocly lint "$root/openapi.yaml" --config "$root/redocly.yaml" --format=stylish
RDV_BINARY="$bin" RDV_OPENAPI="$root/openapi.yaml" node --test "$here/contract.test.mjs"
