#!/usr/bin/env bash
# The browser tests: Debian's chromium driven by playwright-core, axe-core on
# every page (npm packages pinned by package-lock.json). Usage: run.sh BINARY
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="$(realpath "$1")"
cd "$here"
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/axe-core ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
RDV_BINARY="$bin" RDV_SMTP_SINK="$root/tests/support/smtp_sink.py" \
  RDV_MAIL_SUMMARY="$root/tests/support/mail_summary.py" \
  RDV_SCREENSHOTS="$(dirname "$bin")/web-screenshots" node --test "$here/resident.test.mjs" "$here/staff.test.mjs"
