#!/bin/sh
# First start: create the cluster in $PGDATA with the superuser's password (from
# $POSTGRES_PASSWORD_FILE or $POSTGRES_PASSWORD), and let other containers connect with it.
set -e
if [ ! -s "$PGDATA/PG_VERSION" ]; then
	if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
		cp "$POSTGRES_PASSWORD_FILE" /tmp/pwfile
	else
		printf '%s\n' "$POSTGRES_PASSWORD" > /tmp/pwfile
	fi
	initdb --username=postgres --pwfile=/tmp/pwfile --auth-host=scram-sha-256 --auth-local=trust "$PGDATA"
	rm -f /tmp/pwfile
	echo "host all all 0.0.0.0/0 scram-sha-256" >> "$PGDATA/pg_hba.conf"
fi
exec "$@" -c listen_addresses='*'
