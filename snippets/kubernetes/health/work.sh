#!/bin/sh
# A CGI program: count to 200000 (a fraction of a second of CPU), then answer.
i=0
while [ "$i" -lt 200000 ]; do i=$((i + 1)); done
printf 'Content-Type: text/plain\r\n\r\nworked in %s\n' "$(hostname)"
