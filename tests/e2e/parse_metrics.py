#!/usr/bin/python3
"""Reads a Prometheus text exposition on stdin with prometheus_client's own
parser (Debian's python3-prometheus-client) and prints every sample as JSON:
[{"name": ..., "labels": {...}, "value": ...}, ...]. A malformed exposition
makes the parser raise: exit status 1."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

samples = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        samples.append({"name": s.name, "labels": s.labels, "value": s.value,
                        "type": family.type})
json.dump(samples, sys.stdout)
