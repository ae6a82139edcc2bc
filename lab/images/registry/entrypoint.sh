#!/bin/sh
# As in the official image: a config file argument means `registry serve FILE`, and registry
# subcommands or flags run the registry binary.
set -e
case "$1" in
  *.yml|*.yaml) set -- registry serve "$@" ;;
  serve|garbage-collect|help|-*) set -- registry "$@" ;;
esac
exec "$@"
