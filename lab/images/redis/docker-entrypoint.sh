#!/bin/sh
# Starts redis-server the way the official image does.
set -e

# Flags or a config file alone mean "redis-server with these".
case "$1" in
  -*|*.conf) set -- redis-server "$@" ;;
esac

# Run as the redis user, owning the data directory.
if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  find . \! -user redis -exec chown redis '{}' +
  exec gosu redis "$0" "$@"
fi

if [ "$1" = redis-server ]; then
  # Data files readable only by the redis user, as in the official image.
  [ "$(umask)" = 0022 ] && umask 0077
  # The official image builds Redis with protected mode off, since other containers reach it over
  # the container network; Debian's build keeps it on. Without a config file, turn it off here
  # (a later --protected-mode flag still wins). Informational flags must stay first.
  case "$2" in
    *.conf|-|-v|--version|-h|--help|--test-memory|--check-system) ;;
    *) shift; set -- redis-server --protected-mode no "$@" ;;
  esac
fi

exec "$@"
