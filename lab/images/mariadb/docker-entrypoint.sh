#!/bin/bash
# First start of an empty /var/lib/mysql: create the system tables, the root account, and the
# database and user named by the environment, as the official mariadb image does. The variables:
#   MARIADB_ROOT_PASSWORD | MARIADB_ALLOW_EMPTY_ROOT_PASSWORD | MARIADB_RANDOM_ROOT_PASSWORD (one is needed)
#   MARIADB_ROOT_HOST (default %), MARIADB_DATABASE, MARIADB_USER, MARIADB_PASSWORD
# Each may be spelled MYSQL_* instead, and its value may come from a file named by the same
# variable with _FILE appended. Scripts in /docker-entrypoint-initdb.d (*.sh, *.sql, *.sql.gz)
# run once, after that set-up.
set -eo pipefail

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock

log() { echo "$(date '+%F %T') 0 [Note] [Entrypoint]: $*"; }
die() { echo "$(date '+%F %T') 0 [ERROR] [Entrypoint]: $*" >&2; exit 1; }

setting() {  # NAME -> the value of MARIADB_NAME, MYSQL_NAME, or the file either *_FILE names
  local name file
  for name in "MARIADB_$1" "MYSQL_$1"; do
    file="${name}_FILE"
    if [ -n "${!name:-}" ]; then printf '%s' "${!name}"; return; fi
    if [ -n "${!file:-}" ]; then cat "${!file}"; return; fi
  done
}

sql_string() {  # a quoted SQL string literal
  local s=${1//\\/\\\\}
  printf "'%s'" "${s//\'/\\\'}"
}

sql_name() {  # a quoted SQL identifier
  # shellcheck disable=SC2016  # the backquotes are SQL's, not the shell's
  printf '`%s`' "${1//\`/\`\`}"
}

start_temporary_server() {
  "$@" --skip-networking --socket="$SOCKET" &
  server_pid=$!
  for _ in $(seq 300); do
    mariadb-admin --socket="$SOCKET" -uroot --silent ping >/dev/null 2>&1 && return
    kill -0 "$server_pid" 2>/dev/null || die "the temporary server exited during set-up"
    sleep 0.1
  done
  die "the temporary server did not answer within 30 s"
}

stop_temporary_server() {
  kill "$server_pid"
  wait "$server_pid"
}

initialize() {
  local root_password allow_empty random_root root_host database user password
  root_password=$(setting ROOT_PASSWORD)
  allow_empty=$(setting ALLOW_EMPTY_ROOT_PASSWORD)
  random_root=$(setting RANDOM_ROOT_PASSWORD)
  root_host=$(setting ROOT_HOST)
  root_host=${root_host:-%}
  database=$(setting DATABASE)
  user=$(setting USER)
  password=$(setting PASSWORD)

  if [ -z "$root_password" ] && [ -z "$allow_empty" ] && [ -z "$random_root" ]; then
    die "database is uninitialized and password option is not specified
	You need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD"
  fi
  if [ -n "$random_root" ]; then
    root_password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
    log "GENERATED ROOT PASSWORD: $root_password"
  fi

  log "Initializing database files"
  mariadb-install-db --datadir="$DATADIR" --skip-test-db --auth-root-authentication-method=normal \
    --skip-log-bin --expire-logs-days=0 >/dev/null
  log "Starting temporary server"
  start_temporary_server "$@"

  local sql
  sql="SET @@SESSION.SQL_LOG_BIN=0;
-- Only root@localhost (password or unix socket) and root@ROOT_HOST (password) remain.
DROP USER IF EXISTS ''@'localhost', ''@'$(hostname)', 'root'@'$(hostname)', 'root'@'127.0.0.1', 'root'@'::1';
ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD($(sql_string "$root_password")) OR unix_socket;"
  if [ "$root_host" != localhost ]; then
    sql+="
CREATE USER 'root'@$(sql_string "$root_host") IDENTIFIED BY $(sql_string "$root_password");
GRANT ALL ON *.* TO 'root'@$(sql_string "$root_host") WITH GRANT OPTION;"
  fi
  if [ -n "$database" ]; then
    log "Creating database $database"
    sql+="
CREATE DATABASE IF NOT EXISTS $(sql_name "$database");"
  fi
  if [ -n "$user" ] && [ -n "$password" ]; then
    log "Creating user $user"
    sql+="
CREATE USER $(sql_string "$user")@'%' IDENTIFIED BY $(sql_string "$password");"
    [ -n "$database" ] && sql+="
GRANT ALL ON $(sql_name "$database").* TO $(sql_string "$user")@'%';"
  fi
  # healthcheck.sh logs in as a user that may do nothing but connect, as in the official image.
  local healthcheck_password
  healthcheck_password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
  sql+="
CREATE USER 'healthcheck'@'127.0.0.1' IDENTIFIED BY '$healthcheck_password';
CREATE USER 'healthcheck'@'::1' IDENTIFIED BY '$healthcheck_password';
CREATE USER 'healthcheck'@'localhost' IDENTIFIED BY '$healthcheck_password';"
  printf '[mariadb-client]\nport=3306\nsocket=%s\nuser=healthcheck\npassword=%s\n' \
    "$SOCKET" "$healthcheck_password" > "$DATADIR/.my-healthcheck.cnf"
  chmod 600 "$DATADIR/.my-healthcheck.cnf"
  mariadb --protocol=socket --socket="$SOCKET" -uroot <<<"$sql"

  # Later clients log in with the root password, from a file only this user can read.
  local client_config
  client_config=$(mktemp)
  printf '[client]\nuser=root\npassword="%s"\nsocket=%s\n' "${root_password//\"/\\\"}" "$SOCKET" > "$client_config"
  local client=(mariadb --defaults-extra-file="$client_config")
  [ -n "$database" ] && client+=(--database="$database")
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh)
        log "$0: running $f"
        # shellcheck source=/dev/null  # the reader's own scripts
        . "$f" ;;
      *.sql) log "$0: running $f"; "${client[@]}" < "$f" ;;
      *.sql.gz) log "$0: running $f"; gunzip -c "$f" | "${client[@]}" ;;
      */\*) ;;
      *) log "$0: ignoring $f" ;;
    esac
  done
  rm -f "$client_config"

  log "Stopping temporary server"
  stop_temporary_server
  log "MariaDB init process done. Ready for start up."
}

# Flags alone mean "mariadbd with these".
[ "${1:0:1}" = - ] && set -- mariadbd "$@"

if [ "$1" = mariadbd ] || [ "$1" = mysqld ]; then
  # Run as the mysql user, owning the data directory.
  if [ "$(id -u)" = 0 ]; then
    find "$DATADIR" /run/mysqld \! -user mysql -exec chown mysql: '{}' +
    exec gosu mysql "$0" "$@"
  fi
  # Informational flags (--help, --version, ...) just run the server binary.
  wants_info=no
  for arg in "$@"; do
    case "$arg" in -'?'|--help|--print-defaults|-V|--version) wants_info=yes ;; esac
  done
  [ "$wants_info" = yes ] || [ -d "$DATADIR/mysql" ] || initialize "$@"
fi

exec "$@"
