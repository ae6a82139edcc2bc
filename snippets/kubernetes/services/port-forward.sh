#!/bin/bash
# Forward localhost:8080 to the Service hello, call it once, and stop the forward.
set -euo pipefail
log=$(mktemp)
# In the background, its messages in a file.
kubectl port-forward service/hello 8080:80 > "$log" 2>&1 &
forward=$!
# However the script ends, stop the forward (and wait until it has stopped) and remove the file.
trap 'kill "$forward"; wait "$forward" || true; rm -f "$log"' EXIT
# Wait until the port answers, for 30 s at most.
timeout 30 sh -c 'until curl -s -o /dev/null http://localhost:8080; do sleep 1; done'
curl -s http://localhost:8080
cat "$log"
