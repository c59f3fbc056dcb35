#!/bin/sh
# Run once by the postgres image when it initialises its data directory: let a streaming replica
# (docker compose's "scale" profile, service postgres-replica) connect from the compose network.
set -e
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
