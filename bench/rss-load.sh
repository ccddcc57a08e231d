#!/bin/bash
# 32 workers post receptions (full answer) for $1 seconds.
CSRF=$(cat csrf); END=$(( $(date +%s) + $1 ))
work() { n=0; while [ $(date +%s) -lt $END ]; do curl -s -o /dev/null -b jar -H "x-csrf-token: $CSRF" -H 'content-type: application/json' --data-binary @body.json http://127.0.0.1:18090/api/dossiers; n=$((n+1)); done; echo $n; }
for i in $(seq 1 32); do work & done | awk '{s+=$1} END {print "requests:", s}'
