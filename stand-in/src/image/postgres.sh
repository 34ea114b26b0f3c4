#!/bin/sh
# Stands in for postgres. Start-up as the official image's entrypoint: an uninitialized data
# directory (no PG_VERSION) is initialized only with a superuser password
# (POSTGRES_PASSWORD, or a file named by POSTGRES_PASSWORD_FILE) or the explicit opt-out
# POSTGRES_HOST_AUTH_METHOD=trust (the rule of the official images since early 2020);
# otherwise exit 1 with the image's message. A directory that holds a database starts
# without either, as the real one does. Then the voting app's votes table is served on
# 5432 by postgres-session (a line protocol of its own; see there).
PGDATA=${PGDATA:-/var/lib/postgresql/data}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -n "$POSTGRES_PASSWORD_FILE" ] && [ -r "$POSTGRES_PASSWORD_FILE" ]; then
    POSTGRES_PASSWORD="$(cat "$POSTGRES_PASSWORD_FILE")"
  fi
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != "trust" ]; then
    cat >&2 <<'MESSAGE'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
       connections without a password. This is *not* recommended.

       See PostgreSQL documentation about "trust":
       https://www.postgresql.org/docs/current/auth-trust.html
MESSAGE
    exit 1
  fi
  mkdir -p "$PGDATA" || exit 1
  : >"$PGDATA/votes"
  echo "9.4" >"$PGDATA/PG_VERSION"
  echo "PostgreSQL init process complete; ready for start up. (swarm-lab stand-in: an empty votes table in $PGDATA)" >&2
else
  echo "PostgreSQL Database directory appears to contain a database; Skipping initialization" >&2
  echo "(swarm-lab stand-in: $(wc -l <"$PGDATA/votes" 2>/dev/null || echo 0) votes in $PGDATA)" >&2
fi
echo "LOG:  database system is ready to accept connections (swarm-lab stand-in)" >&2
touch /tmp/postgres-ready
exec nc -ll -p 5432 -e /usr/local/bin/postgres-session
