#!/usr/bin/env bash
# deploy/prometheus/ with Debian's promtool: the scrape configuration and the
# rules are valid, and the rules fire (and stay quiet) on the series of
# tests/deploy/alerts_test.yml.
# usage: prometheus_test.sh SOURCE_DIR
set -euo pipefail
source_dir=${1:?usage: prometheus_test.sh SOURCE_DIR}
command -v promtool >/dev/null || { echo "FAIL: no promtool: apt-get install prometheus" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$SECONDS
# prometheus.yml names alerts.yml beside it: checked together, as installed.
cp "$source_dir/deploy/prometheus/prometheus.yml" "$source_dir/deploy/prometheus/alerts.yml" \
  "$source_dir/tests/deploy/alerts_test.yml" "$work/"
cd "$work"
promtool check config prometheus.yml
promtool check rules alerts.yml
promtool test rules alerts_test.yml
echo "deploy-prometheus passed in $((SECONDS - started)) s"
