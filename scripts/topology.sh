#!/usr/bin/env bash
# Test replication topology for the Integrity Auditor integration tests.
#
#   scripts/topology.sh [up]    create what is missing, start what is stopped,
#                               repair what is broken; idempotent, and fast
#                               (about a second) when everything already runs
#   scripts/topology.sh down    stop all six instances (data is kept)
#   scripts/topology.sh status  one line per instance; exit 0 only if healthy
#
# The topology, all on loopback and on ports of its own (see
# lib-topology-env.sh), next to -- and never touching -- the system
# PostgreSQL cluster 15/main (5432) and the system MariaDB (3306):
#
#   PostgreSQL 15 ia_primary  127.0.0.1:5441  --streaming, slot ia_standby_slot-->
#   PostgreSQL 15 ia_standby  127.0.0.1:5442  (hot standby, pg_basebackup -R)
#                 ia_primary                  --streaming, slot ia_fork_slot-->
#   PostgreSQL 15 ia_fork     127.0.0.1:5443  (hot standby, pg_basebackup -R;
#                                              tests may promote it and write
#                                              on it to simulate a split brain)
#                 ia_primary/app              --logical, publication ia_pub,
#                                                 subscription and slot ia_sub-->
#   PostgreSQL 15 ia_logical  127.0.0.1:5444  (independent, writable cluster;
#                                              its app subscribes to the tables
#                                              tests put into ia_pub)
#   MariaDB primary           127.0.0.1:3341  --GTID replication-->
#   MariaDB replica           127.0.0.1:3342  (not read_only: tests may write
#                                              on it with sql_log_bin=0)
#
# Each instance has database `app`. PostgreSQL: user postgres, trust auth.
# MariaDB: root with empty password.
#
# Replicas are disposable: a standby that was promoted, or belongs to another
# primary, or does not stream; a MariaDB replica whose threads are not running
# or that was built from another primary -- `up` rebuilds them from scratch.
#
# Must run as root (it creates clusters and runs mariadbd as root). There is
# no systemd on the machines: PostgreSQL clusters are started with
# pg_ctlcluster --skip-systemctl-redirect, MariaDB instances as detached
# background mariadbd processes.
set -Eeuo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib-topology-env.sh
source "${SCRIPT_DIR}/lib-topology-env.sh"

PG_BIN="/usr/lib/postgresql/${IA_PG_VERSION}/bin"
PG_CONF_FILE_NAME="99-ia-topology.conf"   # in each cluster's conf.d; sorts last, so it wins
STATE_DIR="${IA_TOPOLOGY_STATE_DIR}"
RUN_DIR="${IA_TOPOLOGY_RUN_DIR}"
LOG_DIR="${STATE_DIR}/log"                 # logs of the set-up commands (and MariaDB error logs)
LOCK_FILE="${RUN_DIR}/topology.lock"
# How long to wait for a server to accept connections / a replica to stream.
START_TIMEOUT="${IA_TOPOLOGY_START_TIMEOUT:-60}"
STREAM_TIMEOUT="${IA_TOPOLOGY_STREAM_TIMEOUT:-30}"
# The streaming standbys of the PostgreSQL primary, one "CLUSTER PORT SLOT
# STATUS-LABEL" each. They are handled alike, each on its own: rebuilding
# (e.g. a promoted) one never touches another one or the primary's data.
PG_STANDBYS=(
    "${IA_PG_STANDBY_CLUSTER} ${IA_PG_STANDBY_PORT} ${IA_PG_STANDBY_SLOT} pg-standby"
    "${IA_PG_FORK_CLUSTER} ${IA_PG_FORK_PORT} ${IA_PG_FORK_SLOT} pg-fork"
)

log() { echo "topology: $*"; }
warn() { echo "topology: WARNING: $*" >&2; }
die() { echo "topology: ERROR: $*" >&2; exit 1; }
trap 'echo "topology: ERROR: unexpected failure at line ${LINENO}: ${BASH_COMMAND}" >&2' ERR

# Runs a command with its output sent to a log file; on failure shows the end
# of that log and aborts. Keeps the progress output readable.
run_logged() {
    local what=$1 logfile=$2
    shift 2
    if ! "$@" >"$logfile" 2>&1; then
        tail -n 30 "$logfile" >&2 || true
        die "${what} failed (full output: ${logfile})"
    fi
}

# Writes $2 to file $1 only if the content differs. Returns 0 if it wrote.
write_if_changed() {
    local file=$1 content=$2
    if [[ -f "$file" ]] && [[ "$(cat "$file")" == "$content" ]]; then
        return 1
    fi
    printf '%s\n' "$content" >"$file"
    return 0
}

# wait_until TIMEOUT_SECONDS COMMAND...: polls COMMAND every 0.2 s.
wait_until() {
    local timeout=$1
    shift
    local i
    for ((i = 0; i < timeout * 5; i++)); do
        if "$@"; then return 0; fi
        sleep 0.2
    done
    "$@"
}

# A server killed with SIGKILL stays a zombie until PID 1 reaps it, which on
# these machines can take several seconds. PostgreSQL and MariaDB see the
# zombie's PID in their lock files as alive and refuse to start: wait it out.
not_zombie() { [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) != Z ]]; }
wait_not_zombie() {
    local pid=$1
    [[ $pid =~ ^[0-9]+$ ]] || return 0
    not_zombie "$pid" && return 0
    log "waiting for the killed server process ${pid} to be reaped"
    wait_until 30 not_zombie "$pid" || warn "process ${pid} is still a zombie"
}

# A lock, so that two concurrent `up`s (e.g. two test JVMs) don't race each
# other into creating the same cluster twice. Daemons started below get
# `9>&-` so that they do not inherit -- and keep holding -- the lock.
take_lock() {
    mkdir -p "$RUN_DIR"
    exec 9>"$LOCK_FILE"
    if ! flock -n 9; then
        log "waiting for another topology.sh to finish"
        flock -w 600 9 || die "could not get ${LOCK_FILE}"
    fi
}

# =========================================================================
# PostgreSQL
# =========================================================================

# Status column of pg_lsclusters ("online", "online,recovery", "down"), or
# "missing" if the cluster does not exist.
pg_status() {
    local st
    st=$(pg_lsclusters -h 2>/dev/null | awk -v v="$IA_PG_VERSION" -v c="$1" '$1 == v && $2 == c { print $4 }')
    echo "${st:-missing}"
}

pg_datadir() {
    pg_lsclusters -h | awk -v v="$IA_PG_VERSION" -v c="$1" '$1 == v && $2 == c { print $6 }'
}

# Both, "STATUS DATADIR", from one pg_lsclusters call (each takes ~50 ms).
pg_status_datadir() {
    local st_dir
    st_dir=$(pg_lsclusters -h 2>/dev/null | awk -v v="$IA_PG_VERSION" -v c="$1" '$1 == v && $2 == c { print $4, $6 }')
    echo "${st_dir:-missing}"
}

# psql_at PORT SQL: one query, unaligned tuples-only output.
psql_at() {
    PGCONNECT_TIMEOUT=3 psql -X -A -t -q -v ON_ERROR_STOP=1 \
        -h "$IA_PG_HOST" -p "$1" -U "$IA_PG_USER" -d postgres -c "$2"
}

pg_ready() { "${PG_BIN}/pg_isready" -q -h "$IA_PG_HOST" -p "$1" -U "$IA_PG_USER" -t 2; }

pg_create_cluster() {
    local name=$1 port=$2
    # --start-conf=manual: the machine's init script (if it ever runs
    # `service postgresql start`) must not try to start our clusters.
    # C.UTF-8 so the result doesn't depend on the caller's LANG.
    run_logged "pg_createcluster ${name}" "${LOG_DIR}/pg_createcluster-${name}.log" \
        pg_createcluster "$IA_PG_VERSION" "$name" -p "$port" \
        --start-conf=manual --locale=C.UTF-8
}

# Our settings go to conf.d/99-ia-topology.conf (included after
# postgresql.conf) and pg_hba.conf is replaced. All clusters get the same
# settings: a hot standby needs max_wal_senders etc. >= the primary's anyway.
# Returns 0 if something changed (the caller restarts a running cluster).
pg_write_config() {
    local name=$1 port=$2 changed=1
    local confdir="/etc/postgresql/${IA_PG_VERSION}/${name}"
    mkdir -p "${confdir}/conf.d"
    if write_if_changed "${confdir}/conf.d/${PG_CONF_FILE_NAME}" "\
# Managed by scripts/topology.sh (Integrity Auditor test topology): rewritten by every 'up'.
port = ${port}
listen_addresses = '${IA_PG_HOST}'
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
hot_standby = on
# Long comparison queries on the standby must not be cancelled by recovery conflicts.
hot_standby_feedback = on
# Throw-away test data: trade durability for speed.
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB"; then
        changed=0
    fi
    if write_if_changed "${confdir}/pg_hba.conf" "\
# Managed by scripts/topology.sh (Integrity Auditor test topology): rewritten by every 'up'.
# TYPE  DATABASE     USER  ADDRESS        METHOD
local   all          all                  trust
local   replication  all                  trust
host    all          all   127.0.0.1/32   trust
host    replication  all   127.0.0.1/32   trust"; then
        changed=0
    fi
    if [[ $changed == 0 ]]; then chown -R postgres:postgres "$confdir"; fi
    return "$changed"
}

# Starts a cluster and waits for it to accept connections. Returns non-zero
# (instead of aborting) so the caller can decide: die for the primary,
# rebuild for a standby.
pg_start() {
    local name=$1 port=$2
    log "starting PostgreSQL ${name} on ${IA_PG_HOST}:${port}"
    wait_not_zombie "$(head -n 1 "$(pg_datadir "$name")/postmaster.pid" 2>/dev/null || true)"
    if ! pg_ctlcluster --skip-systemctl-redirect "$IA_PG_VERSION" "$name" start 9>&-; then
        warn "pg_ctlcluster ${name} start failed (see /var/log/postgresql/postgresql-${IA_PG_VERSION}-${name}.log)"
        return 1
    fi
    if ! wait_until "$START_TIMEOUT" pg_ready "$port"; then
        warn "PostgreSQL ${name} does not accept connections after ${START_TIMEOUT}s"
        return 1
    fi
}

pg_restart() {
    local name=$1 port=$2
    log "configuration of PostgreSQL ${name} changed: restarting it"
    pg_ctlcluster --skip-systemctl-redirect "$IA_PG_VERSION" "$name" restart 9>&- ||
        die "restart of ${name} failed (see /var/log/postgresql/postgresql-${IA_PG_VERSION}-${name}.log)"
    wait_until "$START_TIMEOUT" pg_ready "$port" || die "PostgreSQL ${name} does not come back after restart"
}

pg_stop() {
    local name=$1
    case "$(pg_status "$name")" in
        missing) log "PostgreSQL ${name}: does not exist" ;;
        online*)
            log "stopping PostgreSQL ${name}"
            pg_ctlcluster --skip-systemctl-redirect -m fast "$IA_PG_VERSION" "$name" stop
            ;;
        *) log "PostgreSQL ${name}: already stopped" ;;
    esac
}

pg_ensure_primary() {
    local name=$IA_PG_PRIMARY_CLUSTER port=$IA_PG_PRIMARY_PORT st
    st=$(pg_status "$name")
    if [[ $st == missing ]]; then
        log "creating PostgreSQL cluster ${IA_PG_VERSION}/${name} (port ${port})"
        pg_create_cluster "$name" "$port"
    fi
    if pg_write_config "$name" "$port" && [[ $st == online* ]]; then
        pg_restart "$name" "$port"
    fi
    if [[ $(pg_status "$name") != online* ]]; then
        pg_start "$name" "$port" || die "PostgreSQL primary ${name} does not start"
    fi
    wait_until "$START_TIMEOUT" pg_ready "$port" || die "PostgreSQL primary ${name} does not accept connections"
    [[ $(psql_at "$port" "SELECT pg_is_in_recovery()") == f ]] ||
        die "PostgreSQL primary ${name} is in recovery: it is a standby; drop it (pg_dropcluster --stop ${IA_PG_VERSION} ${name}) and rerun"
    # SessionSettingsDriftTest renders money under de_DE.UTF-8 (generated by install-deps.sh); a
    # server started before that locale existed cannot use it until it is restarted.
    if locale -a 2>/dev/null | grep -qx 'de_DE.utf8' &&
        ! psql_at "$port" "SET lc_monetary = 'de_DE.UTF-8'" >/dev/null 2>&1; then
        log "PostgreSQL primary ${name} started before the de_DE.UTF-8 locale existed"
        pg_restart "$name" "$port"
    fi

    if [[ -z $(psql_at "$port" "SELECT 1 FROM pg_database WHERE datname = '${IA_DB_NAME}'") ]]; then
        log "creating database ${IA_DB_NAME} on PostgreSQL ${name}"
        psql_at "$port" "CREATE DATABASE ${IA_DB_NAME}" >/dev/null
    fi
    # The standbys' slots, checked in one query (keeps `up` fast).
    local entry slot slots=""
    for entry in "${PG_STANDBYS[@]}"; do
        read -r _ _ slot _ <<<"$entry"
        slots+="${slots:+, }'${slot}'"
    done
    for slot in $(psql_at "$port" "SELECT s FROM unnest(ARRAY[${slots}]) AS s
            WHERE s NOT IN (SELECT slot_name FROM pg_replication_slots)"); do
        log "creating physical replication slot ${slot} on ${name}"
        psql_at "$port" "SELECT pg_create_physical_replication_slot('${slot}', true)" >/dev/null
    done
    log "PostgreSQL primary ${name} is up on ${IA_PG_HOST}:${port}"
}

# pg_standby_streaming SLOT: the standby that uses replication slot SLOT is
# streaming when the primary has a walsender in state `streaming` for it.
pg_standby_streaming() {
    [[ $(psql_at "$IA_PG_PRIMARY_PORT" "SELECT count(*) FROM pg_replication_slots s
            JOIN pg_stat_replication r ON r.pid = s.active_pid
            WHERE s.slot_name = '$1' AND r.state = 'streaming'" 2>/dev/null) == 1 ]]
}

pg_sysid() { psql_at "$1" "SELECT system_identifier FROM pg_control_system()"; }

# The same, read from a data directory (works while the cluster is stopped).
pg_sysid_of_datadir() {
    LC_ALL=C "${PG_BIN}/pg_controldata" -D "$1" 2>/dev/null | awk -F': *' '/^Database system identifier/ { print $2 }'
}

# pg_slot_inactive SLOT: no walsender uses replication slot SLOT on the primary.
pg_slot_inactive() {
    [[ -z $(psql_at "$IA_PG_PRIMARY_PORT" "SELECT 1 FROM pg_replication_slots WHERE slot_name = '$1' AND active") ]]
}

# pg_build_standby NAME PORT SLOT: throws standby NAME away and makes a new
# one from a base backup of the primary: create a cluster (for the Debian
# config layout), empty its data directory, pg_basebackup -R into it (writes
# standby.signal and primary_conninfo with primary_slot_name SLOT), start,
# wait for streaming. Touches no other cluster, and of the primary's slots
# only SLOT.
pg_build_standby() {
    local name=$1 port=$2 slot=$3 datadir
    if [[ $(pg_status "$name") != missing ]]; then
        log "dropping PostgreSQL cluster ${IA_PG_VERSION}/${name}"
        run_logged "pg_dropcluster ${name}" "${LOG_DIR}/pg_dropcluster-${name}.log" \
            pg_dropcluster --stop "$IA_PG_VERSION" "$name"
        # pg_dropcluster leaves the config directory behind when it holds a
        # file it did not create (our conf.d file); start from a clean one.
        rm -rf "/etc/postgresql/${IA_PG_VERSION}/${name}"
    fi
    # Recreate the slot, so that it does not pin WAL (nor, with
    # hot_standby_feedback, an old xmin) from the old standby's time -- a
    # promoted standby left it inactive, retaining WAL ever since. Its
    # walsender may need a moment to exit after the standby stopped.
    wait_until 10 pg_slot_inactive "$slot" ||
        die "replication slot ${slot} is still in use on the primary"
    psql_at "$IA_PG_PRIMARY_PORT" "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '${slot}'" >/dev/null
    psql_at "$IA_PG_PRIMARY_PORT" "SELECT pg_create_physical_replication_slot('${slot}', true)" >/dev/null

    log "creating PostgreSQL standby ${IA_PG_VERSION}/${name} (port ${port}) from a base backup of ${IA_PG_PRIMARY_CLUSTER}"
    pg_create_cluster "$name" "$port"
    datadir=$(pg_datadir "$name")
    [[ -n $datadir && -d $datadir ]] || die "cannot find the data directory of ${name}"
    find "$datadir" -mindepth 1 -delete
    run_logged "pg_basebackup into ${datadir}" "${LOG_DIR}/pg_basebackup-${name}.log" \
        runuser -u postgres -- "${PG_BIN}/pg_basebackup" -h "$IA_PG_HOST" -p "$IA_PG_PRIMARY_PORT" \
        -U "$IA_PG_USER" -w -D "$datadir" -R -S "$slot" -X stream -c fast
    pg_write_config "$name" "$port" || true
    pg_start "$name" "$port" || die "the new standby ${name} does not start"
    log "waiting for ${name} to stream from ${IA_PG_PRIMARY_CLUSTER}"
    wait_until "$STREAM_TIMEOUT" pg_standby_streaming "$slot" ||
        die "the new standby ${name} is not streaming after ${STREAM_TIMEOUT}s (see /var/log/postgresql/postgresql-${IA_PG_VERSION}-${name}.log)"
}

# pg_ensure_standby NAME PORT SLOT PRIMARY_SYSID: makes standby NAME exist,
# run and stream from the primary through slot SLOT; rebuilds it if it was
# promoted, is not a copy of the primary (PRIMARY_SYSID: the primary's system
# identifier), does not start or does not stream.
pg_ensure_standby() {
    local name=$1 port=$2 slot=$3 primary_sysid=$4 st datadir
    read -r st datadir <<<"$(pg_status_datadir "$name")"
    if [[ $st == missing ]]; then
        pg_build_standby "$name" "$port" "$slot"
    else
        if pg_write_config "$name" "$port" && [[ $st == online* ]]; then
            pg_restart "$name" "$port"
        fi
        # (From here on $st stays right: a failed restart aborts.)
        # Cheap checks on the data directory first, so that a standby that is
        # to be rebuilt anyway is not started first.
        if [[ ! -f "${datadir}/standby.signal" ]]; then
            log "standby ${name} has no standby.signal (promoted?): rebuilding it"
            pg_build_standby "$name" "$port" "$slot"
        elif [[ $(pg_sysid_of_datadir "$datadir") != "$primary_sysid" ]]; then
            log "standby ${name} is not a copy of the current primary (system identifier differs or unreadable): rebuilding it"
            pg_build_standby "$name" "$port" "$slot"
        elif [[ $st != online* ]] && ! pg_start "$name" "$port"; then
            log "standby ${name} does not start: rebuilding it"
            pg_build_standby "$name" "$port" "$slot"
        elif [[ $(psql_at "$port" "SELECT pg_is_in_recovery()") != t ]]; then
            log "standby ${name} is not in recovery any more (promoted?): rebuilding it"
            pg_build_standby "$name" "$port" "$slot"
        elif ! pg_standby_streaming "$slot"; then
            log "waiting for standby ${name} to stream"
            if ! wait_until "$STREAM_TIMEOUT" pg_standby_streaming "$slot"; then
                log "standby ${name} is not streaming after ${STREAM_TIMEOUT}s: rebuilding it"
                pg_build_standby "$name" "$port" "$slot"
            fi
        fi
    fi
    [[ $(psql_at "$port" "SELECT pg_is_in_recovery()") == t ]] || die "standby ${name} is not in recovery"
    log "PostgreSQL standby ${name} is up on ${IA_PG_HOST}:${port}, streaming from ${IA_PG_PRIMARY_CLUSTER}"
}

pg_ensure_standbys() {
    local entry name port slot primary_sysid
    # Read once for all standbys (keeps `up` fast).
    primary_sysid=$(pg_sysid "$IA_PG_PRIMARY_PORT" || true)
    [[ -n $primary_sysid ]] || die "cannot read the system identifier of ${IA_PG_PRIMARY_CLUSTER}"
    for entry in "${PG_STANDBYS[@]}"; do
        read -r name port slot _ <<<"$entry"
        pg_ensure_standby "$name" "$port" "$slot" "$primary_sysid"
    done
}

# =========================================================================
# PostgreSQL logical subscriber
# =========================================================================
# ia_logical: an independent cluster (not a base backup) whose database app
# subscribes to publication ia_pub of the primary's app. The publication
# lists tables explicitly (tests add theirs); the subscription's slot on the
# primary is named like the subscription.

psql_app() {
    PGCONNECT_TIMEOUT=3 PGOPTIONS='-c client_min_messages=warning' psql -X -A -t -q -v ON_ERROR_STOP=1 \
        -h "$IA_PG_HOST" -p "$1" -U "$IA_PG_USER" -d "$IA_DB_NAME" -c "$2"
}

pg_logical_conninfo() {
    echo "host=${IA_PG_HOST} port=${IA_PG_PRIMARY_PORT} user=${IA_PG_USER} dbname=${IA_DB_NAME} application_name=${IA_PG_LOGICAL_SUBSCRIPTION}"
}

# The subscription as the subscriber sees it: "ENABLED WORKER CONNINFO"
# (t/f t/f conninfo), or empty when it does not exist.
pg_logical_sub_state() {
    psql_app "$IA_PG_LOGICAL_PORT" "SELECT s.subenabled, EXISTS (SELECT 1 FROM pg_stat_subscription w
                WHERE w.subid = s.oid AND w.relid IS NULL AND w.pid IS NOT NULL), s.subconninfo
            FROM pg_subscription s
            WHERE s.subname = '${IA_PG_LOGICAL_SUBSCRIPTION}'
              AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())" 2>/dev/null |
        tr '|' ' '
}

# Streaming: the subscriber's apply worker runs and the primary has an
# active walsender in state streaming on the subscription's slot.
pg_logical_streaming() {
    [[ $(pg_logical_sub_state) == "t t "* ]] && pg_standby_streaming "$IA_PG_LOGICAL_SUBSCRIPTION"
}

pg_ensure_publication() {
    if [[ -z $(psql_app "$IA_PG_PRIMARY_PORT" "SELECT 1 FROM pg_publication WHERE pubname = '${IA_PG_LOGICAL_PUBLICATION}'") ]]; then
        log "creating publication ${IA_PG_LOGICAL_PUBLICATION} on ${IA_PG_PRIMARY_CLUSTER}/${IA_DB_NAME}"
        psql_app "$IA_PG_PRIMARY_PORT" "CREATE PUBLICATION ${IA_PG_LOGICAL_PUBLICATION}" >/dev/null
    fi
}

# Drops the primary's slot of the subscription (once no walsender uses it):
# a subscriber that was thrown away leaves it behind, pinning WAL.
pg_drop_logical_slot() {
    local slot=$IA_PG_LOGICAL_SUBSCRIPTION
    wait_until 10 pg_slot_inactive "$slot" ||
        die "replication slot ${slot} is still in use on the primary"
    psql_at "$IA_PG_PRIMARY_PORT" "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '${slot}'" >/dev/null
}

# (Re)creates the subscription from scratch: drops the old one without
# touching the primary (slot_name = NONE), drops its slot there, empties the
# publication (tables the subscriber may lack would make CREATE SUBSCRIPTION
# fail; tests put their tables back) and subscribes again.
pg_make_subscription() {
    local sub=$IA_PG_LOGICAL_SUBSCRIPTION port=$IA_PG_LOGICAL_PORT
    log "creating subscription ${sub} on ${IA_PG_LOGICAL_CLUSTER}/${IA_DB_NAME} to ${IA_PG_LOGICAL_PUBLICATION} of ${IA_PG_PRIMARY_CLUSTER}"
    if [[ -n $(pg_logical_sub_state) ]]; then
        psql_app "$port" "ALTER SUBSCRIPTION ${sub} DISABLE" >/dev/null
        psql_app "$port" "ALTER SUBSCRIPTION ${sub} SET (slot_name = NONE)" >/dev/null
        psql_app "$port" "DROP SUBSCRIPTION ${sub}" >/dev/null
    fi
    pg_drop_logical_slot
    psql_app "$IA_PG_PRIMARY_PORT" "DROP PUBLICATION IF EXISTS ${IA_PG_LOGICAL_PUBLICATION}" >/dev/null
    psql_app "$IA_PG_PRIMARY_PORT" "CREATE PUBLICATION ${IA_PG_LOGICAL_PUBLICATION}" >/dev/null
    psql_app "$port" "CREATE SUBSCRIPTION ${sub} CONNECTION '$(pg_logical_conninfo)' PUBLICATION ${IA_PG_LOGICAL_PUBLICATION}" >/dev/null
    wait_until "$STREAM_TIMEOUT" pg_logical_streaming ||
        die "subscription ${sub} is not streaming after ${STREAM_TIMEOUT}s (see /var/log/postgresql/postgresql-${IA_PG_VERSION}-${IA_PG_LOGICAL_CLUSTER}.log)"
}

# Throws the subscriber cluster away and makes a new one.
pg_build_logical() {
    local name=$IA_PG_LOGICAL_CLUSTER port=$IA_PG_LOGICAL_PORT
    if [[ $(pg_status "$name") != missing ]]; then
        log "dropping PostgreSQL cluster ${IA_PG_VERSION}/${name}"
        run_logged "pg_dropcluster ${name}" "${LOG_DIR}/pg_dropcluster-${name}.log" \
            pg_dropcluster --stop "$IA_PG_VERSION" "$name"
        rm -rf "/etc/postgresql/${IA_PG_VERSION}/${name}"
    fi
    log "creating PostgreSQL cluster ${IA_PG_VERSION}/${name} (port ${port}), a logical subscriber"
    pg_create_cluster "$name" "$port"
    pg_write_config "$name" "$port" || true
    pg_start "$name" "$port" || die "the new subscriber ${name} does not start"
    psql_at "$port" "CREATE DATABASE ${IA_DB_NAME}" >/dev/null
    pg_make_subscription
}

# Makes the subscriber exist, run, and stream from the primary; re-enables a
# disabled subscription (tests disable it), recreates a subscription that
# points elsewhere or does not stream, rebuilds a cluster that does not start
# or is in recovery.
pg_ensure_logical() {
    local name=$IA_PG_LOGICAL_CLUSTER port=$IA_PG_LOGICAL_PORT st sub
    pg_ensure_publication
    st=$(pg_status "$name")
    if [[ $st == missing ]]; then
        pg_build_logical
    else
        if pg_write_config "$name" "$port" && [[ $st == online* ]]; then
            pg_restart "$name" "$port"
        fi
        if [[ $st != online* ]] && ! pg_start "$name" "$port"; then
            log "subscriber ${name} does not start: rebuilding it"
            pg_build_logical
        elif [[ $(psql_at "$port" "SELECT pg_is_in_recovery()") != f ]]; then
            log "subscriber ${name} is in recovery: rebuilding it"
            pg_build_logical
        elif [[ -z $(psql_at "$port" "SELECT 1 FROM pg_database WHERE datname = '${IA_DB_NAME}'") ]]; then
            log "creating database ${IA_DB_NAME} on ${name}"
            psql_at "$port" "CREATE DATABASE ${IA_DB_NAME}" >/dev/null
            pg_make_subscription
        elif ! pg_logical_streaming; then
            sub=$(pg_logical_sub_state)
            if [[ -z $sub ]]; then
                log "subscription ${IA_PG_LOGICAL_SUBSCRIPTION} is missing"
                pg_make_subscription
            elif [[ ${sub#* * } != "$(pg_logical_conninfo)" ]]; then
                log "subscription ${IA_PG_LOGICAL_SUBSCRIPTION} points elsewhere (${sub#* * }): recreating it"
                pg_make_subscription
            else
                if [[ $sub == f* ]]; then
                    log "subscription ${IA_PG_LOGICAL_SUBSCRIPTION} is disabled: enabling it"
                    psql_app "$port" "ALTER SUBSCRIPTION ${IA_PG_LOGICAL_SUBSCRIPTION} ENABLE" >/dev/null
                fi
                log "waiting for subscription ${IA_PG_LOGICAL_SUBSCRIPTION} to stream"
                if ! wait_until "$STREAM_TIMEOUT" pg_logical_streaming; then
                    log "subscription ${IA_PG_LOGICAL_SUBSCRIPTION} does not stream after ${STREAM_TIMEOUT}s: recreating it"
                    pg_make_subscription
                fi
            fi
        fi
    fi
    log "PostgreSQL subscriber ${name} is up on ${IA_PG_HOST}:${port}, subscribed to ${IA_PG_LOGICAL_PUBLICATION} of ${IA_PG_PRIMARY_CLUSTER}"
}

# =========================================================================
# MariaDB
# =========================================================================
# Instances are named "primary" and "replica". Files of instance NAME:
#   ${STATE_DIR}/mariadb-NAME/          datadir
#   ${STATE_DIR}/mariadb-NAME.cnf       its only defaults file
#   ${LOG_DIR}/mariadb-NAME.err         error log
#   ${RUN_DIR}/mariadb-NAME.{sock,pid}  socket, pid file
#   datadir/ia-topology.id              random id made at initialization
#   datadir/ia-topology.primary-id      (replica) id of the primary it was built from

mdb_dir() { echo "${STATE_DIR}/mariadb-$1"; }
mdb_cnf() { echo "${STATE_DIR}/mariadb-$1.cnf"; }
mdb_sock() { echo "${RUN_DIR}/mariadb-$1.sock"; }
mdb_pidfile() { echo "${RUN_DIR}/mariadb-$1.pid"; }
mdb_errlog() { echo "${LOG_DIR}/mariadb-$1.err"; }
mdb_port() { if [[ $1 == primary ]]; then echo "$IA_MARIADB_PRIMARY_PORT"; else echo "$IA_MARIADB_REPLICA_PORT"; fi; }

# The script's own connections go over the unix socket as root@localhost;
# --no-defaults so that /etc/mysql/my.cnf (the system instance's) is never read.
mdb_sql() {
    mariadb --no-defaults --connect-timeout=5 -S "$(mdb_sock "$1")" -u root -N -B -e "$2"
}

# SHOW SLAVE STATUS\G of the replica (vertical output needs the column
# names, hence no -N); empty if the replica is down or has no master.
mdb_slave_status() {
    mariadb --no-defaults --connect-timeout=5 -S "$(mdb_sock replica)" -u root -B -e "SHOW SLAVE STATUS\G" 2>/dev/null || true
}

mdb_ping() { mariadb-admin --no-defaults --connect-timeout=2 -S "$(mdb_sock "$1")" -u root ping >/dev/null 2>&1; }

# Pid of our mariadbd for instance NAME, if one runs: from the pid file, or
# else found by its unique --defaults-file argument (a server that died
# before writing its pid file, or whose /run was wiped).
mdb_pid() {
    local pid=""
    if [[ -f $(mdb_pidfile "$1") ]]; then
        pid=$(cat "$(mdb_pidfile "$1")" 2>/dev/null || true)
        if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null &&
            tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null | grep -qF -- "--defaults-file=$(mdb_cnf "$1")"; then
            echo "$pid"
            return 0
        fi
    fi
    pid=$(pgrep -f -x -- "/usr/sbin/mariadbd --defaults-file=$(mdb_cnf "$1")" | head -n 1 || true)
    [[ -n $pid ]] && echo "$pid"
}

mdb_write_cnf() {
    local name=$1 server_id extra="# (primary)"
    if [[ $name == primary ]]; then server_id=1; else server_id=2; fi
    if [[ $name == replica ]]; then
        # Not read_only on purpose: tests write on the replica (sql_log_bin=0)
        # to make it drift from the primary.
        extra="relay_log = ia-replica-relay-bin
# read_only is deliberately not set: tests write here with sql_log_bin=0."
    fi
    # Explicit binlog/relay log names, so that they don't depend on the host name.
    write_if_changed "$(mdb_cnf "$name")" "\
# Managed by scripts/topology.sh (Integrity Auditor test topology): rewritten by every 'up'.
[mariadbd]
user = root
basedir = /usr
datadir = $(mdb_dir "$name")
port = $(mdb_port "$name")
bind-address = ${IA_MARIADB_HOST}
socket = $(mdb_sock "$name")
pid-file = $(mdb_pidfile "$name")
log-error = $(mdb_errlog "$name")
skip-name-resolve
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
server_id = ${server_id}
log_bin = ia-${name}-bin
binlog_format = ROW
gtid_strict_mode = 1
log_slave_updates = 1
${extra}
# Throw-away test data: trade durability for speed.
innodb_flush_log_at_trx_commit = 2
sync_binlog = 0
innodb_buffer_pool_size = 2G

[client]
user = root
socket = $(mdb_sock "$name")
port = $(mdb_port "$name")"
}

# Fresh, empty datadir. The bootstrap runs with --no-defaults, i.e. without
# log_bin: the system tables are then not in the binlog, and a replica
# initialized the same way can replay the primary's binlog from its start.
mdb_init() {
    local name=$1 dir
    dir=$(mdb_dir "$name")
    log "initializing MariaDB ${name} datadir ${dir}"
    rm -rf "$dir"
    mkdir -p "$dir"
    run_logged "mariadb-install-db (${name})" "${LOG_DIR}/mariadb-install-db-${name}.log" \
        mariadb-install-db --no-defaults --user=root --datadir="$dir" \
        --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve
    cat /proc/sys/kernel/random/uuid >"${dir}/ia-topology.id"
}

# Starts instance NAME (if not running) as a detached background process and
# waits until it answers. Returns non-zero if it does not come up.
mdb_start() {
    local name=$1 pid
    mkdir -p "$RUN_DIR"
    if mdb_ping "$name"; then return 0; fi
    pid=$(mdb_pid "$name" || true)
    if [[ -z $pid ]]; then
        log "starting MariaDB ${name} on ${IA_MARIADB_HOST}:$(mdb_port "$name")"
        wait_not_zombie "$(cat "$(mdb_pidfile "$name")" 2>/dev/null || true)"
        wait_not_zombie "$(cat "$(mdb_sock "$name").lock" 2>/dev/null || true)"
        rm -f "$(mdb_pidfile "$name")"   # stale (server killed / machine rebooted)
        # setsid+nohup: the server must outlive this script and its terminal.
        setsid nohup /usr/sbin/mariadbd --defaults-file="$(mdb_cnf "$name")" \
            </dev/null >>"$(mdb_errlog "$name")" 2>&1 9>&- &
        pid=$!
    fi
    local i
    for ((i = 0; i < START_TIMEOUT * 5; i++)); do
        if mdb_ping "$name"; then return 0; fi
        if ! kill -0 "$pid" 2>/dev/null && [[ -z $(mdb_pid "$name" || true) ]]; then break; fi  # it died
        sleep 0.2
    done
    tail -n 20 "$(mdb_errlog "$name")" >&2 || true
    warn "MariaDB ${name} does not come up (error log: $(mdb_errlog "$name"))"
    return 1
}

mdb_stop() {
    local name=$1 pid i
    pid=$(mdb_pid "$name" || true)
    if [[ -z $pid ]]; then
        [[ ${2:-} == quiet ]] || log "MariaDB ${name}: already stopped"
        return 0
    fi
    log "stopping MariaDB ${name}"
    # A clean shutdown (also makes the replica save its position); SIGTERM,
    # and as a last resort SIGKILL, if the server does not react.
    mariadb-admin --no-defaults --connect-timeout=2 -S "$(mdb_sock "$name")" -u root shutdown >/dev/null 2>&1 ||
        kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
        [[ $i == 150 ]] && kill -TERM "$pid" 2>/dev/null
    done
    warn "MariaDB ${name} (pid ${pid}) does not stop: killing it"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
}

# mariadb-install-db also creates root@<host name>: useless with
# skip-name-resolve, and it even makes `mariadb-dump --system=users` fail
# (SHOW CREATE USER cannot find it). Drop it (and the like). $2: extra SQL
# to run first in the same session, e.g. "SET sql_log_bin = 0;".
mdb_drop_host_name_accounts() {
    local host
    for host in $(mdb_sql "$1" "SELECT Host FROM mysql.global_priv WHERE User = 'root'
            AND Host NOT IN ('%', '127.0.0.1', '::1', 'localhost')"); do
        log "dropping account root@'${host}' on MariaDB $1 (host names are not resolved)"
        mdb_sql "$1" "${2:-} DROP USER IF EXISTS 'root'@'${host}'"
    done
}

# Creates the accounts and the database on the primary, but only if missing:
# re-running them would add a GTID to the binlog on every `up`. They are
# binlogged on purpose, so that they replicate to the replica.
mdb_provision_primary() {
    local host
    for host in '%' '127.0.0.1' 'localhost'; do
        if [[ -z $(mdb_sql primary "SELECT 1 FROM mysql.global_priv WHERE User = 'root' AND Host = '${host}'") ]]; then
            log "creating account root@'${host}' (empty password) on MariaDB primary"
            mdb_sql primary "CREATE USER 'root'@'${host}' IDENTIFIED BY '';
                GRANT ALL PRIVILEGES ON *.* TO 'root'@'${host}' WITH GRANT OPTION;"
        fi
    done
    mdb_drop_host_name_accounts primary
    if [[ -z $(mdb_sql primary "SELECT 1 FROM information_schema.schemata WHERE schema_name = '${IA_DB_NAME}'") ]]; then
        log "creating database ${IA_DB_NAME} on MariaDB primary"
        mdb_sql primary "CREATE DATABASE ${IA_DB_NAME}"
    fi
}

mdb_ensure_primary() {
    local changed=1
    mkdir -p "$STATE_DIR" "$LOG_DIR" "$RUN_DIR"
    if mdb_write_cnf primary; then changed=0; fi
    if [[ ! -d "$(mdb_dir primary)/mysql" ]]; then
        mdb_stop primary quiet
        mdb_init primary
    elif [[ $changed == 0 ]] && mdb_ping primary; then
        log "configuration of MariaDB primary changed: restarting it"
        mdb_stop primary
    fi
    mdb_start primary || die "MariaDB primary does not start"
    mdb_provision_primary
    log "MariaDB primary is up on ${IA_MARIADB_HOST}:${IA_MARIADB_PRIMARY_PORT}"
}

# One field of SHOW SLAVE STATUS on the replica (empty if no master is set).
mdb_slave_field() {
    mdb_slave_status | awk -v f="$1" -F': ' '$1 ~ "^ *" f "$" { print $2; exit }'
}

# Classifies the replica, as one line starting with one of:
#   ok          both threads running
#   connecting  SQL thread running, IO thread (re)connecting to the primary
#   stopped     threads not running, without an error (STOP SLAVE, or the
#               server has just started and not yet started them)
#   error       a thread stopped on an error
#   unconfigured  no master set (or the replica does not answer)
mdb_replica_state() {
    local status io sql io_err sql_err
    status=$(mdb_slave_status)
    field() { awk -v f="$1" -F': ' '$1 ~ "^ *" f "$" { print $2; exit }' <<<"$status"; }
    io=$(field Slave_IO_Running)
    sql=$(field Slave_SQL_Running)
    io_err=$(field Last_IO_Errno)
    sql_err=$(field Last_SQL_Errno)
    local detail="Slave_IO_Running=${io} Slave_SQL_Running=${sql}"
    if [[ -z $status ]]; then
        echo "unconfigured: no replication configured"
    elif [[ $io == Yes && $sql == Yes ]]; then
        echo ok
    elif [[ $io == Connecting && $sql == Yes ]]; then
        echo "connecting: ${detail}, last IO error ${io_err}: $(field Last_IO_Error)"
    elif [[ $io != Yes && $io_err != 0 ]] || [[ $sql != Yes && $sql_err != 0 ]]; then
        echo "error: ${detail}, IO error ${io_err}: $(field Last_IO_Error); SQL error ${sql_err}: $(field Last_SQL_Error)"
    else
        echo "stopped: ${detail}"
    fi
}

mdb_replica_ok() { [[ $(mdb_replica_state) == ok ]]; }
# Not in a transitional state (threads starting / connecting).
mdb_replica_settled() { [[ $(mdb_replica_state) == @(ok|error|unconfigured)* ]]; }

# True if the primary's binlog still holds everything since its
# initialization: the first binlog file starts with an empty GTID list
# (nothing was purged before it).
mdb_primary_binlog_complete() {
    local first gtid_list
    first=$(mdb_sql primary "SHOW BINARY LOGS" | awk 'NR == 1 { print $1 }')
    [[ -n $first ]] || return 1
    gtid_list=$(mdb_sql primary "SHOW BINLOG EVENTS IN '${first}' LIMIT 5" | awk -F'\t' '$3 == "Gtid_list" { print $6; exit }')
    [[ $gtid_list == "[]" ]]
}

mdb_change_master() {
    mdb_sql replica "CHANGE MASTER TO MASTER_HOST='${IA_MARIADB_HOST}', MASTER_PORT=${IA_MARIADB_PRIMARY_PORT},
        MASTER_USER='${IA_MARIADB_USER}', MASTER_PASSWORD='${IA_MARIADB_PASSWORD}',
        MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1;
        START SLAVE;"
}

# Throws the replica away and builds a new one consistent with the primary.
# If the primary's binlog is complete, the fresh replica simply replays it
# from the start (gtid_slave_pos=''); otherwise it is loaded from a
# consistent dump, which records the GTID position to continue from.
mdb_build_replica() {
    local dir dump pos
    dir=$(mdb_dir replica)
    log "building MariaDB replica from scratch"
    mdb_stop replica quiet
    mdb_init replica
    mdb_start replica || die "the new MariaDB replica does not start"
    if [[ -z ${MDB_FORCE_DUMP:-} ]] && mdb_primary_binlog_complete; then
        MDB_BUILT_FROM=binlog
        log "replica will replay the primary's complete binlog from its start"
        mdb_sql replica "SET GLOBAL gtid_slave_pos = ''"
    else
        MDB_BUILT_FROM=dump
        log "loading the replica from a dump of the primary (binlog purged or its replay failed)"
        dump="${LOG_DIR}/mariadb-replica-seed.sql"
        local dbs
        dbs=$(mdb_sql primary "SELECT schema_name FROM information_schema.schemata
            WHERE schema_name NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')" | tr '\n' ' ')
        # Accounts first (as CREATE USER IF NOT EXISTS + GRANT), then the
        # databases, in one consistent snapshot with its GTID position.
        # shellcheck disable=SC2086
        if ! { mariadb-dump --no-defaults -S "$(mdb_sock primary)" -u root --system=users --insert-ignore &&
            mariadb-dump --no-defaults -S "$(mdb_sock primary)" -u root --single-transaction \
                --gtid --master-data=2 --routines --events --triggers --databases $dbs; } \
            >"$dump" 2>"${LOG_DIR}/mariadb-dump.log"; then
            cat "${LOG_DIR}/mariadb-dump.log" >&2
            die "mariadb-dump of the primary failed"
        fi
        pos=$(sed -n "s/^-- SET GLOBAL gtid_slave_pos='\(.*\)';$/\1/p" "$dump" | head -n 1)
        [[ -n $pos ]] || die "no GTID position in the dump ${dump}"
        mdb_drop_host_name_accounts replica "SET SESSION sql_log_bin = 0;"
        # Not binlogged on the replica: its binlog must only hold what it
        # replicates, or gtid_strict_mode would trip over its own GTIDs.
        # --force: rows mariadb-dump cannot print back exactly (FLOAT keys, which it prints with
        # six digits, so that 1.0000001 and 1.0000002 collide) in databases the tests create on
        # the primary alone (sql_log_bin = 0) must not stop the load of the rest; such errors are
        # logged and counted, and replication of the rest is checked below.
        { echo "SET SESSION sql_log_bin = 0;"; cat "$dump"; } |
            mariadb --no-defaults --force -S "$(mdb_sock replica)" -u root \
                2>"${LOG_DIR}/mariadb-replica-seed.err" || true
        if grep -q '^ERROR' "${LOG_DIR}/mariadb-replica-seed.err"; then
            warn "$(grep -c '^ERROR' "${LOG_DIR}/mariadb-replica-seed.err") statement(s) of the seed dump failed on the replica (see ${LOG_DIR}/mariadb-replica-seed.err): $(grep -m 1 '^ERROR' "${LOG_DIR}/mariadb-replica-seed.err")"
        fi
        mdb_sql replica "SET GLOBAL gtid_slave_pos = '${pos}'"
    fi
    mdb_change_master
    cp "$(mdb_dir primary)/ia-topology.id" "${dir}/ia-topology.primary-id"
    if ! wait_until "$STREAM_TIMEOUT" mdb_replica_ok; then
        if [[ $MDB_BUILT_FROM == binlog && $(mdb_replica_state) == error* ]]; then
            log "replaying the primary's binlog failed ($(mdb_replica_state)): loading a dump instead"
            MDB_FORCE_DUMP=1 mdb_build_replica
            return
        fi
        die "the new MariaDB replica does not replicate: $(mdb_replica_state)"
    fi
}

mdb_ensure_replica() {
    local changed=1 dir state just_started=no
    dir=$(mdb_dir replica)
    if mdb_write_cnf replica; then changed=0; fi
    if [[ ! -d "${dir}/mysql" ]]; then
        mdb_build_replica
    elif ! cmp -s "$(mdb_dir primary)/ia-topology.id" "${dir}/ia-topology.primary-id"; then
        log "MariaDB replica was not built from this primary (or its build did not finish): rebuilding it"
        mdb_build_replica
    else
        if [[ $changed == 0 ]] && mdb_ping replica; then
            log "configuration of MariaDB replica changed: restarting it"
            mdb_stop replica
        fi
        if ! mdb_ping replica; then
            if mdb_start replica; then
                just_started=yes
            else
                log "MariaDB replica does not start: rebuilding it"
                mdb_build_replica
            fi
        fi
        state=$(mdb_replica_state)
        if [[ $state != ok ]]; then
            # Threads that are starting or connecting get some time -- a
            # freshly started server a few seconds, a connecting IO thread
            # more (the primary may just have restarted) -- but a replica
            # stopped on an error, or stopped for good, is rebuilt at once.
            if [[ $just_started == yes ]]; then
                wait_until 5 mdb_replica_settled || true
                state=$(mdb_replica_state)
            fi
            if [[ $state == connecting* ]]; then
                log "waiting for the MariaDB replica to connect to the primary"
                wait_until "$STREAM_TIMEOUT" mdb_replica_settled || true
                state=$(mdb_replica_state)
            fi
            if [[ $state != ok ]]; then
                log "MariaDB replica is broken (${state}): rebuilding it"
                mdb_build_replica
            fi
        fi
    fi
    # Wait until the replica has applied everything the primary has (so `app`
    # and the accounts exist there), then check it is reachable like the tests
    # reach it: over TCP as root with the empty password.
    local pos
    pos=$(mdb_sql primary "SELECT @@gtid_binlog_pos")
    if [[ $(mdb_sql replica "SELECT MASTER_GTID_WAIT('${pos}', ${STREAM_TIMEOUT})") != 0 ]] &&
        [[ $(mdb_replica_state) == error* ]] && [[ ${MDB_BUILT_FROM:-} == binlog ]]; then
        # A replay of the whole binlog stops on statements about tables that were created
        # without it (scripts/bench.sh builds its tables unlogged on both servers, then
        # pt-table-checksum's statements are replicated): load a dump instead.
        log "replaying the primary's binlog failed ($(mdb_replica_state)): loading a dump instead"
        MDB_FORCE_DUMP=1 mdb_build_replica
        pos=$(mdb_sql primary "SELECT @@gtid_binlog_pos")
    fi
    [[ $(mdb_sql replica "SELECT MASTER_GTID_WAIT('${pos}', ${STREAM_TIMEOUT})") == 0 ]] ||
        die "MariaDB replica did not catch up with the primary (${pos}) within ${STREAM_TIMEOUT}s: $(mdb_replica_state)"
    [[ -n $(mdb_sql replica "SELECT 1 FROM information_schema.schemata WHERE schema_name = '${IA_DB_NAME}'") ]] ||
        die "database ${IA_DB_NAME} is missing on the MariaDB replica"
    log "MariaDB replica is up on ${IA_MARIADB_HOST}:${IA_MARIADB_REPLICA_PORT}, replicating from the primary"
}

mdb_check_tcp() {
    local port=$1 what=$2
    mariadb --no-defaults --connect-timeout=5 --protocol=tcp -h "$IA_MARIADB_HOST" -P "$port" \
        -u "$IA_MARIADB_USER" --password="$IA_MARIADB_PASSWORD" -N -B -e "SELECT 1" "$IA_DB_NAME" >/dev/null ||
        die "cannot connect to MariaDB ${what} as ${IA_MARIADB_USER}@${IA_MARIADB_HOST}:${port}"
}

# =========================================================================
# Subcommands
# =========================================================================

cmd_up() {
    [[ $(id -u) == 0 ]] || die "must run as root"
    take_lock
    mkdir -p "$STATE_DIR" "$LOG_DIR" "$RUN_DIR"
    local t0=$SECONDS
    pg_ensure_primary
    pg_ensure_standbys
    pg_ensure_logical
    mdb_ensure_primary
    mdb_ensure_replica
    mdb_check_tcp "$IA_MARIADB_PRIMARY_PORT" primary
    mdb_check_tcp "$IA_MARIADB_REPLICA_PORT" replica
    log "all up ($((SECONDS - t0))s); connection settings: source ${SCRIPT_DIR}/lib-topology-env.sh"
}

cmd_down() {
    [[ $(id -u) == 0 ]] || die "must run as root"
    take_lock
    # Replicas first, so they don't log errors about their vanished primaries.
    local entry name
    for entry in "${PG_STANDBYS[@]}"; do
        read -r name _ <<<"$entry"
        pg_stop "$name"
    done
    pg_stop "$IA_PG_LOGICAL_CLUSTER"
    pg_stop "$IA_PG_PRIMARY_CLUSTER"
    mdb_stop replica
    mdb_stop primary
    log "all stopped (data kept; 'up' starts them again)"
}

# Wording for a cluster that is not online.
pg_describe_down() {
    case "$1" in
        missing) echo "does not exist" ;;
        down*) echo "stopped" ;;
        *) echo "$1" ;;
    esac
}

# Exit status 0 only if all six instances run and replicate.
cmd_status() {
    local healthy=0 st line port   # healthy: 0 = yes, as an exit status
    local entry name slot label
    # PostgreSQL primary
    st=$(pg_status "$IA_PG_PRIMARY_CLUSTER")
    line=$(pg_describe_down "$st")
    if [[ $st == online* ]]; then
        line="running$([[ $(psql_at "$IA_PG_PRIMARY_PORT" "SELECT pg_is_in_recovery()" 2>/dev/null) == f ]] && echo ", primary" || echo ", NOT a primary")"
        [[ $line == "running, primary" ]] || healthy=1
    else
        healthy=1
    fi
    log "$(printf '%-16s %-16s %s' pg-primary "${IA_PG_HOST}:${IA_PG_PRIMARY_PORT}" "$line")"

    # PostgreSQL standbys
    for entry in "${PG_STANDBYS[@]}"; do
        read -r name port slot label <<<"$entry"
        st=$(pg_status "$name")
        line=$(pg_describe_down "$st")
        if [[ $st == online* ]]; then
            if [[ $(psql_at "$port" "SELECT pg_is_in_recovery()" 2>/dev/null) != t ]]; then
                line="running, NOT in recovery (promoted?)"
                healthy=1
            elif pg_standby_streaming "$slot"; then
                line="running, in recovery, streaming"
            else
                line="running, in recovery, NOT streaming ($(psql_at "$port" "SELECT coalesce((SELECT status FROM pg_stat_wal_receiver), 'no wal receiver')" 2>/dev/null || echo '?'))"
                healthy=1
            fi
        else
            healthy=1
        fi
        log "$(printf '%-16s %-16s %s' "$label" "${IA_PG_HOST}:${port}" "$line")"
    done

    # PostgreSQL logical subscriber
    st=$(pg_status "$IA_PG_LOGICAL_CLUSTER")
    line=$(pg_describe_down "$st")
    if [[ $st == online* ]]; then
        if pg_logical_streaming; then
            line="running, subscribed, streaming"
        else
            line="running, subscription NOT streaming ($(pg_logical_sub_state | cut -d' ' -f1,2 || echo '?'): enabled, worker)"
            healthy=1
        fi
    else
        healthy=1
    fi
    log "$(printf '%-16s %-16s %s' pg-logical "${IA_PG_HOST}:${IA_PG_LOGICAL_PORT}" "$line")"

    # MariaDB primary and replica
    for name in primary replica; do
        port=$(mdb_port "$name")
        if [[ ! -d "$(mdb_dir "$name")/mysql" ]]; then
            line="not initialized"
            healthy=1
        elif mdb_ping "$name"; then
            line="running (pid $(mdb_pid "$name" || echo '?'))"
            if [[ $name == replica ]]; then
                line+=", IO=$(mdb_slave_field Slave_IO_Running || true) SQL=$(mdb_slave_field Slave_SQL_Running || true)"
                local state
                state=$(mdb_replica_state)
                [[ $state == ok ]] || { line+=" (${state})"; healthy=1; }
            fi
        elif [[ -n $(mdb_pid "$name" || true) ]]; then
            line="process running but not answering"
            healthy=1
        else
            line="stopped"
            healthy=1
        fi
        log "$(printf '%-16s %-16s %s' "mariadb-${name}" "${IA_MARIADB_HOST}:${port}" "$line")"
    done
    return "$healthy"
}

main() {
    local cmd=${1:-up}
    # Servers started from here inherit the working directory: not the work
    # tree, which may be deleted or replaced while they run.
    cd /
    case "$cmd" in
        up) cmd_up ;;
        down) cmd_down ;;
        # (not a bare call: a non-zero return would set off the ERR trap)
        status) if cmd_status; then exit 0; else exit 1; fi ;;
        -h | --help | help) sed -n '2,9p' "${SCRIPT_DIR}/$(basename "${BASH_SOURCE[0]}")" | sed 's/^# \{0,1\}//' ;;
        *) die "unknown subcommand '${cmd}' (use up, down or status)" ;;
    esac
}

main "$@"
