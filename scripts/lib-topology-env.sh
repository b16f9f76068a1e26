# shellcheck shell=bash
# Connection facts of the Integrity Auditor test replication topology.
#
# Meant to be sourced, by scripts/topology.sh (which creates the topology)
# and by anything that talks to it (integration tests, CI, a developer's
# shell):
#
#   source scripts/lib-topology-env.sh
#   psql "postgresql://$IA_PG_USER@$IA_PG_HOST:$IA_PG_PRIMARY_PORT/$IA_DB_NAME"
#
# Everything listens on loopback only, on ports of its own, so it never
# collides with the system PostgreSQL (5432) and MariaDB (3306) instances.
# Authentication is trust (PostgreSQL) / empty password (MariaDB): these are
# throw-away test databases.

export IA_DB_NAME=app

# --- PostgreSQL 15: primary + two streaming (physical) standbys -------------
# ia_standby is the standby the tests read from; ia_fork is a second one that
# tests may promote (SELECT pg_promote()) and write to, to simulate a split
# brain -- `topology.sh up` rebuilds it as a standby afterwards.
export IA_PG_HOST=127.0.0.1
export IA_PG_VERSION=15
export IA_PG_PRIMARY_CLUSTER=ia_primary
export IA_PG_STANDBY_CLUSTER=ia_standby
export IA_PG_PRIMARY_PORT=5441
export IA_PG_STANDBY_PORT=5442
export IA_PG_STANDBY_SLOT=ia_standby_slot
export IA_PG_FORK_CLUSTER=ia_fork
export IA_PG_FORK_PORT=5443
export IA_PG_FORK_SLOT=ia_fork_slot
export IA_PG_USER=postgres
export IA_PG_PASSWORD=
export IA_PG_PRIMARY_URL="jdbc:postgresql://${IA_PG_HOST}:${IA_PG_PRIMARY_PORT}/${IA_DB_NAME}"
export IA_PG_STANDBY_URL="jdbc:postgresql://${IA_PG_HOST}:${IA_PG_STANDBY_PORT}/${IA_DB_NAME}"
export IA_PG_FORK_URL="jdbc:postgresql://${IA_PG_HOST}:${IA_PG_FORK_PORT}/${IA_DB_NAME}"

# --- PostgreSQL 15: a logical subscriber of the primary ---------------------
# ia_logical is an independent cluster (its own system identifier, writable)
# whose database `app` subscribes (subscription ia_sub, slot ia_sub on the
# primary) to publication ia_pub of the primary's `app`. The publication
# lists tables explicitly: a test creates its table on both sides, puts it
# into the publication (ALTER PUBLICATION ia_pub ADD/SET TABLE) and runs
# ALTER SUBSCRIPTION ia_sub REFRESH PUBLICATION on the subscriber (not FOR
# ALL TABLES: the apply worker would stop at the first change to a table
# that other tests create on the primary only).
export IA_PG_LOGICAL_CLUSTER=ia_logical
export IA_PG_LOGICAL_PORT=5444
export IA_PG_LOGICAL_PUBLICATION=ia_pub
export IA_PG_LOGICAL_SUBSCRIPTION=ia_sub
export IA_PG_LOGICAL_URL="jdbc:postgresql://${IA_PG_HOST}:${IA_PG_LOGICAL_PORT}/${IA_DB_NAME}"

# --- MariaDB 10.11: primary + GTID replica ----------------------------------
export IA_MARIADB_HOST=127.0.0.1
export IA_MARIADB_PRIMARY_PORT=3341
export IA_MARIADB_REPLICA_PORT=3342
export IA_MARIADB_USER=root
export IA_MARIADB_PASSWORD=
export IA_MARIADB_PRIMARY_URL="jdbc:mariadb://${IA_MARIADB_HOST}:${IA_MARIADB_PRIMARY_PORT}/${IA_DB_NAME}"
export IA_MARIADB_REPLICA_URL="jdbc:mariadb://${IA_MARIADB_HOST}:${IA_MARIADB_REPLICA_PORT}/${IA_DB_NAME}"

# Where topology.sh keeps the MariaDB instances (datadirs, defaults files,
# error logs) and their runtime files (sockets, pid files).
export IA_TOPOLOGY_STATE_DIR=/var/lib/ia-topology
export IA_TOPOLOGY_RUN_DIR=/run/ia-topology
export IA_MARIADB_PRIMARY_SOCKET="${IA_TOPOLOGY_RUN_DIR}/mariadb-primary.sock"
export IA_MARIADB_REPLICA_SOCKET="${IA_TOPOLOGY_RUN_DIR}/mariadb-replica.sock"
