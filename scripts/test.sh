#!/usr/bin/env bash
# The whole test suite: installs what is missing, brings up the local replication topology
# (PostgreSQL primary + streaming standby, MariaDB primary + GTID replica, on ports of their own),
# then builds and runs every test against the real databases.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/topology.sh up
# shellcheck source=scripts/lib-topology-env.sh
source scripts/lib-topology-env.sh
mvn -B -ntp verify "$@"
