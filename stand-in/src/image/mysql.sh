#!/bin/sh
# Stands in for mysql. Start-up as the official image's entrypoint: an uninitialized data
# directory (/var/lib/mysql without its mysql/ system schema) is initialized only with
# MYSQL_ROOT_PASSWORD (or a file named by MYSQL_ROOT_PASSWORD_FILE),
# MYSQL_ALLOW_EMPTY_PASSWORD or MYSQL_RANDOM_ROOT_PASSWORD; otherwise exit 1 with the
# image's message. Then it accepts TCP on 3306 (no SQL: nothing in the course queries it).
DATADIR=/var/lib/mysql
log() {
  printf '%s [%s] [Entrypoint]: %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S+00:00')" "$1" "$2" >&2
}
if [ ! -d "$DATADIR/mysql" ]; then
  if [ -n "$MYSQL_ROOT_PASSWORD_FILE" ] && [ -r "$MYSQL_ROOT_PASSWORD_FILE" ]; then
    MYSQL_ROOT_PASSWORD="$(cat "$MYSQL_ROOT_PASSWORD_FILE")"
  fi
  if [ -z "$MYSQL_ROOT_PASSWORD" ] && [ -z "$MYSQL_ALLOW_EMPTY_PASSWORD" ] && [ -z "$MYSQL_RANDOM_ROOT_PASSWORD" ]; then
    log ERROR "Database is uninitialized and password option is not specified
    You need to specify one of the following as an environment variable:
    - MYSQL_ROOT_PASSWORD
    - MYSQL_ALLOW_EMPTY_PASSWORD
    - MYSQL_RANDOM_ROOT_PASSWORD"
    exit 1
  fi
  log Note "Initializing database files (swarm-lab stand-in)"
  mkdir -p "$DATADIR/mysql" || exit 1
  if [ -n "$MYSQL_DATABASE" ]; then
    name=$(printf '%s' "$MYSQL_DATABASE" | tr -cd 'A-Za-z0-9_$-' | cut -c 1-64)
    [ -z "$name" ] || mkdir -p "$DATADIR/$name"
  fi
  if [ -n "$MYSQL_RANDOM_ROOT_PASSWORD" ]; then
    log Note "GENERATED ROOT PASSWORD: $(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  fi
  log Note "MySQL init process done. Ready for start up."
fi
echo "[Server] /usr/sbin/mysqld: ready for connections. Version: '8.0 (swarm-lab stand-in)'  port: 3306" >&2
touch /tmp/mysql-ready
exec nc -ll -p 3306 -e /bin/true
