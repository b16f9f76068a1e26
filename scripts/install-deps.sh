#!/usr/bin/env bash
# Installs what the tests and the benchmark need on a fresh Debian 12 machine of this kind.
# Idempotent: does nothing when everything is present.
set -euo pipefail

need=()
command -v pg_createcluster >/dev/null || need+=(postgresql-15 postgresql-client-15)
command -v mariadb-install-db >/dev/null || need+=(mariadb-server mariadb-client)
command -v mvn >/dev/null || need+=(maven)
command -v flock >/dev/null || need+=(util-linux)
command -v promtool >/dev/null || need+=(prometheus)  # promtool: alerts/ rule checks and tests
# the console's browser test (ConsoleBrowserTest): Selenium drives Debian's headless Chromium
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
if [ "${IA_WITH_BENCH_TOOLS:-0}" = 1 ]; then
  command -v pt-table-checksum >/dev/null || need+=(percona-toolkit)
fi
command -v localedef >/dev/null || need+=(locales)
if [ ${#need[@]} -gt 0 ]; then
  echo "install-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# Debian's prometheus package enables and may start a system Prometheus on :9090; we only want
# promtool. Stop and disable that service (systemd or sysvinit), never a Prometheus of anyone else.
if [[ " ${need[*]} " == *" prometheus "* ]]; then
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    systemctl disable --now prometheus.service >/dev/null 2>&1 || true
  elif [ -x /etc/init.d/prometheus ]; then
    /etc/init.d/prometheus stop >/dev/null 2>&1 || true
    update-rc.d prometheus disable >/dev/null 2>&1 || true
  fi
  if [ -r /run/prometheus/prometheus.pid ] && kill -0 "$(cat /run/prometheus/prometheus.pid)" 2>/dev/null; then
    kill "$(cat /run/prometheus/prometheus.pid)" || true
  fi
fi
# A locale other than C for SessionSettingsDriftTest (money printed the German way on a copy).
if ! locale -a 2>/dev/null | grep -qx 'de_DE.utf8'; then
  echo "install-deps: generating locale de_DE.UTF-8"
  localedef -i de_DE -f UTF-8 de_DE.UTF-8
fi
echo "install-deps: ok"
