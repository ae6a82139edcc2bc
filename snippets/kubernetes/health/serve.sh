#!/bin/sh
# A web app with two health endpoints, each a file that `kubectl exec ... rm` can take away:
#   /healthz  "the process works"       (the liveness and startup probes ask it)
#   /ready    "send me requests"        (the readiness probe asks it)
# and /cgi-bin/work, which burns CPU for every request.
set -eu
mkdir -p /tmp/www/cgi-bin
echo "hello from $(hostname)" > /tmp/www/index.html
echo ok > /tmp/www/healthz
echo ok > /tmp/www/ready
cp /work.sh /tmp/www/cgi-bin/work
exec busybox httpd -f -p 8080 -h /tmp/www
