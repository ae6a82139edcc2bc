#!/bin/sh
# Answer every request with the app's version and the name of the pod (its hostname).
set -eu
mkdir -p /tmp/www
echo "hello $VERSION from $(hostname)" > /tmp/www/index.html
exec busybox httpd -f -p 8080 -h /tmp/www
