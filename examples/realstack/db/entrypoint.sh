#!/bin/sh
# First start: create the cluster in $PGDATA with the superuser's password, and let
# other containers connect with it.
set -e
if [ ! -s "$PGDATA/PG_VERSION" ]; then
	printf '%s\n' "$POSTGRES_PASSWORD" > /tmp/pwfile
	initdb --username=postgres --pwfile=/tmp/pwfile --auth-host=scram-sha-256 --auth-local=trust "$PGDATA"
	rm -f /tmp/pwfile
	echo "host all all 0.0.0.0/0 scram-sha-256" >> "$PGDATA/pg_hba.conf"
fi
exec "$@" -c listen_addresses='*'
