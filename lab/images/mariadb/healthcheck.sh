#!/bin/bash
# The checks of the official image's healthcheck.sh that compose files use:
#   --connect             the server accepts TCP connections (false during first-start set-up)
#   --innodb_initialized  the InnoDB storage engine is ready
# Both log in as the healthcheck user that docker-entrypoint.sh created.
set -eo pipefail
[ $# -gt 0 ] || { echo "usage: healthcheck.sh --connect|--innodb_initialized ..." >&2; exit 1; }
client=(--defaults-extra-file=/var/lib/mysql/.my-healthcheck.cnf --protocol=tcp --host=127.0.0.1 --connect-timeout=2)
for check in "$@"; do
  case "$check" in
    --connect)
      mariadb "${client[@]}" --execute='SELECT 1' >/dev/null ;;
    --innodb_initialized)
      [ "$(mariadb "${client[@]}" --skip-column-names --execute="SELECT 1 FROM information_schema.ENGINES WHERE engine = 'InnoDB' AND support IN ('YES', 'DEFAULT')")" = 1 ] ;;
    *) echo "healthcheck.sh: unknown check $check" >&2; exit 1 ;;
  esac
done
