#!/usr/bin/env bash
# Installs what the tests and the benchmark need on a fresh Debian 12 machine of this kind.
# Idempotent: does nothing when everything is present.
set -euo pipefail

need=()
command -v pg_createcluster >/dev/null || need+=(postgresql-15 postgresql-client-15)
command -v mariadb-install-db >/dev/null || need+=(mariadb-server mariadb-client)
command -v mvn >/dev/null || need+=(maven)
command -v flock >/dev/null || need+=(util-linux)
if [ "${IA_WITH_BENCH_TOOLS:-0}" = 1 ]; then
  command -v pt-table-checksum >/dev/null || need+=(percona-toolkit)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "install-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
echo "install-deps: ok"
