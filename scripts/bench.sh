#!/usr/bin/env bash
# Benchmark: an N-row contacts table (jsonb/json column) and a copy with 100 planted differences
# (40 changed, 30 missing, 30 extra) on PostgreSQL and on MariaDB; runs the audit (JVM start
# included) and prints wall time, rows/s, bytes from the databases, peak RSS, whether the 100
# differences were found exactly, the PostgreSQL in-database hash-scan limit (best of 3, one
# worker) and, on MariaDB, pt-table-checksum on the same table.
#
#   scripts/bench.sh [ROWS] [pg|mariadb|all]       (default 5000000 all)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-5000000}
WHAT=${2:-all}
IA_WITH_BENCH_TOOLS=1 scripts/install-deps.sh >/dev/null
scripts/topology.sh up >/dev/null
# shellcheck source=scripts/lib-topology-env.sh
source scripts/lib-topology-env.sh
[ -f target/integrity-auditor.jar ] || mvn -B -q -ntp package -DskipTests
OUT=target/bench
mkdir -p "$OUT"
BASE_JAVA_OPTS=${BENCH_JAVA_OPTS:--XX:+UseSerialGC -Xmx128m -XX:TieredStopAtLevel=1}
# Application class-data sharing halves the JVM + Dropwizard start (1.1 s -> 0.6 s measured). The
# archive comes from a training run: `audit --json`, as the runs, of a 20,000-row table on the
# engine benchmarked (so its JDBC driver's classes are in it too; 0.1 s more saved) against a copy
# with one changed, one missing and one extra row (so the classes that locate and report findings
# are in it as well). BENCH_CDS=0 turns it off.
cds_archive() { # engine -> sets JAVA_OPTS for that engine's runs
  JAVA_OPTS=$BASE_JAVA_OPTS
  [ "${BENCH_CDS:-1}" = 1 ] || return 0
  local engine=$1 url
  if [ "$engine" = pg ]; then
    "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS bench_cds WITH (FORCE)" -c "DROP DATABASE IF EXISTS bench_cds2 WITH (FORCE)" -c "CREATE DATABASE bench_cds"
    "${PSQL[@]}" -d bench_cds -c "CREATE TABLE contacts (id bigint PRIMARY KEY, user_id bigint NOT NULL, v text)" \
      -c "INSERT INTO contacts SELECT g, g % 7, 'v' || g FROM generate_series(1, 20000) g"
    "${PSQL[@]}" -d postgres -c "CREATE DATABASE bench_cds2 TEMPLATE bench_cds"
    "${PSQL[@]}" -d bench_cds2 -c "UPDATE contacts SET v = 'changed' WHERE id = 5000" \
      -c "DELETE FROM contacts WHERE id = 10000" -c "INSERT INTO contacts VALUES (20001, 1, 'extra')"
    url="jdbc:postgresql://127.0.0.1:$IA_PG_PRIMARY_PORT/bench_cds"
  else
    "${MY[@]}" -P "$IA_MARIADB_PRIMARY_PORT" -e "SET sql_log_bin=0; DROP DATABASE IF EXISTS bench_cds; CREATE DATABASE bench_cds; USE bench_cds;
      CREATE TABLE bench_cds.contacts (id bigint PRIMARY KEY, user_id bigint NOT NULL, v text);
      INSERT INTO bench_cds.contacts SELECT seq, seq % 7, CONCAT('v', seq) FROM seq_1_to_20000;
      DROP DATABASE IF EXISTS bench_cds2; CREATE DATABASE bench_cds2;
      CREATE TABLE bench_cds2.contacts LIKE bench_cds.contacts;
      INSERT INTO bench_cds2.contacts SELECT * FROM bench_cds.contacts WHERE id <> 10000;
      UPDATE bench_cds2.contacts SET v = 'changed' WHERE id = 5000;
      INSERT INTO bench_cds2.contacts VALUES (20001, 1, 'extra');"
    url="jdbc:mariadb://127.0.0.1:$IA_MARIADB_PRIMARY_PORT/bench_cds"
  fi
  cat >"$OUT/cds-$engine.yml" <<YML
endpoints:
  p: { url: "$url", user: $( [ "$engine" = pg ] && echo postgres || echo root ) }
  c: { url: "${url}2", user: $( [ "$engine" = pg ] && echo postgres || echo root ) }
datasets:
  cds:
    primary: p
    replicas: [c]
    tables:
      - { name: contacts, key: [id], owner: user_id }
logging: { level: WARN }
YML
  rm -f "$OUT/app-$engine.jsa"
  java -XX:ArchiveClassesAtExit="$OUT/app-$engine.jsa" -jar target/integrity-auditor.jar audit "$OUT/cds-$engine.yml" --json >/dev/null 2>&1 || true
  JAVA_OPTS="$JAVA_OPTS -XX:SharedArchiveFile=$OUT/app-$engine.jsa"
  echo "JVM options: $JAVA_OPTS"
}
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$IA_PG_PRIMARY_PORT" -U postgres)
MY=(mariadb -h 127.0.0.1 -u root --batch --skip-column-names)

# The planted differences: ids spread over the whole key space.
changed_ids() { for i in $(seq 1 40); do echo $(( i * (ROWS / 41) + 7 )); done; }
missing_ids() { for i in $(seq 1 30); do echo $(( i * (ROWS / 31) + 3 )); done; }
extra_ids() { for i in $(seq 1 15); do echo $(( -i * 1000 )); echo $(( ROWS + i * 1000 )); done; }
join() { paste -sd, -; }

expected() {
  { changed_ids | sed 's/^/CHANGED /'; missing_ids | sed 's/^/MISSING /'; extra_ids | sed 's/^/EXTRA /'; } | sort
}

found() { # report.json -> "KIND id" lines
  python3 -c '
import json,sys
r=json.load(open(sys.argv[1]))
for t in r["tables"]:
  for c in t["copies"]:
    for f in c["findings"]:
      print(f["kind"], list(f["key"].values())[0])
' "$1" | sort
}

run_audit() { # name config -> prints stats line
  local name=$1 cfg=$2
  local t0 t1
  t0=$(date +%s.%N)
  set +e
  /usr/bin/time -f "%M" -o "$OUT/$name.rss" java $JAVA_OPTS -jar target/integrity-auditor.jar audit "$cfg" --json \
    >"$OUT/$name.json" 2>"$OUT/$name.err"
  local code=$?
  set -e
  t1=$(date +%s.%N)
  local wall rss bytes rows
  wall=$(python3 -c "print(round($t1-$t0,2))")
  rss=$(( $(tail -1 "$OUT/$name.rss") / 1024 ))
  bytes=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(t["bytesFromDatabases"] for t in r["tables"]))' "$OUT/$name.json")
  rows=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(t["rowsChecked"] for t in r["tables"]))' "$OUT/$name.json")
  local hashing
  hashing=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(",".join(sorted({c["hashing"] for t in r["tables"] for c in t["copies"]})))' "$OUT/$name.json")
  local exact=no
  if diff <(expected) <(found "$OUT/$name.json") >"$OUT/$name.diff"; then exact=yes; fi
  echo "$name: exit $code, wall ${wall}s (JVM start included), $rows rows, $(python3 -c "print(int($rows/$wall))") rows/s, $bytes bytes from the databases, peak RSS ${rss} MB, row hash $hashing, 100 differences found exactly: $exact"
  echo "$wall" >"$OUT/$name.wall"
}

bench_pg() {
  echo "== PostgreSQL: $ROWS rows"
  "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS bench_p WITH (FORCE)" -c "DROP DATABASE IF EXISTS bench_c WITH (FORCE)" -c "CREATE DATABASE bench_p"
  local t0=$SECONDS
  "${PSQL[@]}" -d bench_p <<SQL
CREATE TABLE contacts (id bigint PRIMARY KEY, user_id bigint NOT NULL, name text NOT NULL, email text,
  phone text, meta jsonb, updated_at timestamptz NOT NULL);
INSERT INTO contacts
SELECT g, g % 100000, 'Contact ' || g, 'user' || g || '@example.com', '+1 555 ' || lpad((g % 10000)::text, 4, '0'),
  jsonb_build_object('tags', jsonb_build_array('friend', 'work'), 'n', g,
    'addr', jsonb_build_object('city', 'City ' || (g % 500), 'zip', lpad((g % 99999)::text, 5, '0'))),
  timestamptz '2009-10-01 00:00:00+00' + g * interval '1 second'
FROM generate_series(1, $ROWS) g;
VACUUM ANALYZE contacts;
SQL
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE bench_c TEMPLATE bench_p"
  "${PSQL[@]}" -d bench_c <<SQL
UPDATE contacts SET email = 'changed@example.com' WHERE id IN ($(changed_ids | head -20 | join));
UPDATE contacts SET meta = jsonb_set(meta, '{addr,city}', '"Elsewhere"') WHERE id IN ($(changed_ids | tail -20 | join));
DELETE FROM contacts WHERE id IN ($(missing_ids | join));
INSERT INTO contacts SELECT i, 1, 'extra', NULL, NULL, NULL, now() FROM unnest(ARRAY[$(extra_ids | join)]::bigint[]) i;
VACUUM ANALYZE contacts;
CHECKPOINT;
SQL
  echo "setup: $((SECONDS - t0)) s"
  # The topology's standbys and logical walsender replay / decode the gigabytes of WAL the load
  # wrote; timing while they do measures them too. Wait until every one has caught up.
  pg_caught_up() {
    local lsn
    lsn=$("${PSQL[@]}" -d postgres -At -c "SELECT pg_current_wal_lsn()")
    for _ in $(seq 1 600); do
      [ "$("${PSQL[@]}" -d postgres -At -c "SELECT coalesce(bool_and(replay_lsn >= '$lsn'), true) FROM pg_stat_replication")" = t ] && break
      sleep 1
    done
  }
  pg_caught_up
  # The VACUUM right after the load could not mark the primary's pages all-visible (its
  # relallvisible stayed 0): the standbys, still replaying the load, held the xmin horizon back
  # through hot-standby feedback. Vacuumed again now, both tables are in the state a table that
  # autovacuum keeps is in (every page all-visible).
  "${PSQL[@]}" -d bench_p -c "VACUUM contacts"
  "${PSQL[@]}" -d bench_c -c "VACUUM contacts"
  pg_caught_up
  echo "replicas caught up: $((SECONDS - t0)) s, all-visible pages: $("${PSQL[@]}" -d bench_p -At -c "SELECT round(100.0 * relallvisible / greatest(relpages, 1)) FROM pg_class WHERE relname = 'contacts'")% / $("${PSQL[@]}" -d bench_c -At -c "SELECT round(100.0 * relallvisible / greatest(relpages, 1)) FROM pg_class WHERE relname = 'contacts'")%"
  limit_once() { # [database] -> seconds of one single-worker full-table hash scan
    local ms
    ms=$("${PSQL[@]}" -d "${1:-bench_p}" -At <<'SQL' | grep -E '^Time' | sed -E 's/Time: ([0-9.]+) ms.*/\1/'
SET max_parallel_workers_per_gather = 0;
\timing on
SELECT count(*), sum(hash_record_extended(t, 0)) FROM contacts t;
SQL
)
    python3 -c "print(round($ms / 1000, 3))"
  }
  # The limit's scan on the primary's and the copy's table at once, as an audit must read both on
  # the same two cores: the seconds of the slower of the two.
  pair_once() {
    local a b
    limit_once bench_p >"$OUT/pair.p" &
    limit_once bench_c >"$OUT/pair.c"
    wait
    a=$(cat "$OUT/pair.p")
    b=$(cat "$OUT/pair.c")
    python3 -c "print(max($a, $b))"
  }
  # The same scan with the audit's own NATIVE row hash for these column types (PostgreSQL's
  # hash_record_extended follows each type's equality and misses differences, see the README):
  # what exact hashing costs the database per row. PostgresRowHashTest checks this text against
  # PostgresDialect.nativeRowHash.
  EXACT_ROW_HASH='hashint4extended(0, COALESCE(hashint4extended(1, "id"), CAST(6364136223846793005 AS bigint)) # COALESCE(hashint4extended(2, "user_id"), CAST(-5718471626015965606 AS bigint)) # COALESCE(hashtextextended("name" COLLATE "C", 3), CAST(645664597830827399 AS bigint)) # COALESCE(hashtextextended("email" COLLATE "C", 4), CAST(7009800821677620404 AS bigint)) # COALESCE(hashtextextended("phone" COLLATE "C", 5), CAST(-5072807028185138207 AS bigint)) # COALESCE(hashtextextended(CAST("meta" AS text) COLLATE "C", 6), CAST(1291329195661654798 AS bigint)) # (hash_array_extended(ARRAY[timestamptz_send("updated_at")], 7) # CAST(7655465419508447803 AS bigint)))'
  exact_once() { # -> seconds of one single-worker full-table scan with the exact row hash
    local ms
    ms=$("${PSQL[@]}" -d bench_p -At <<SQL | grep -E '^Time' | sed -E 's/Time: ([0-9.]+) ms.*/\1/'
SET max_parallel_workers_per_gather = 0;
SET extra_float_digits = 3;
\timing on
SELECT count(*), sum($EXACT_ROW_HASH) FROM contacts;
SQL
)
    python3 -c "print(round($ms / 1000, 3))"
  }
  cat >"$OUT/pg.yml" <<YML
endpoints:
  p: { url: "jdbc:postgresql://127.0.0.1:$IA_PG_PRIMARY_PORT/bench_p", user: postgres }
  c: { url: "jdbc:postgresql://127.0.0.1:$IA_PG_PRIMARY_PORT/bench_c", user: postgres }
datasets:
  bench:
    primary: p
    replicas: [c]
    tables:
      - { name: public.contacts, key: [id], owner: user_id }
logging: { level: WARN }
YML
  cds_archive pg
  # Three rounds of the limit's scan followed by an audit: this VM's speed drifts by up to 1.5x
  # within minutes, so each audit is also set against the limit measured just before it.
  limit_once >/dev/null # untimed: the first scan after loading reads cold pages
  local limits="" exacts="" pairs=""
  for i in 1 2 3; do
    local l e d
    l=$(limit_once)
    limits="$limits${limits:+,}$l"
    e=$(exact_once)
    exacts="$exacts${exacts:+,}$e"
    d=$(pair_once)
    pairs="$pairs${pairs:+,}$d"
    echo "limit (count + sum(hash_record_extended), 1 worker): ${l}s; the same scan with the audit's exact row hash: ${e}s; the limit's scan of both tables at once: ${d}s"
    run_audit "pg$i" "$OUT/pg.yml"
  done
  local walls
  walls=$(cat "$OUT"/pg[123].wall | paste -sd, -)
  python3 -c "
l=[$limits]; e=[$exacts]; d=[$pairs]; a=[$walls]; b=min(l); x=min(e); y=min(d)
r=sorted(p / q for p, q in zip(a, l)); w=sorted(a)
print('PostgreSQL in-database limit, best of 3: %.2fs (exact row hash: %.2fs)' % (b, x))
print('audit wall best of 3: %.2fs, median %.2fs; ratio to the limit: best %.2f, median %.2f; per round (audit / the limit just before it): %s' % (w[0], w[1], w[0]/b, w[1]/b, ', '.join('%.2f' % v for v in r)))
print('ratio to the exact-hash scan: best %.2f, median %.2f' % (w[0]/x, w[1]/x))
print('both tables scanned at once by the limit, best of 3: %.2fs; ratio: best %.2f, median %.2f' % (y, w[0]/y, w[1]/y))"
}

bench_mariadb() {
  echo "== MariaDB: $ROWS rows (primary $IA_MARIADB_PRIMARY_PORT, GTID replica $IA_MARIADB_REPLICA_PORT)"
  local t0=$SECONDS
  local ddl="DROP DATABASE IF EXISTS bench; CREATE DATABASE bench; USE bench;
CREATE TABLE contacts (id bigint PRIMARY KEY, user_id bigint NOT NULL, name varchar(100) NOT NULL,
  email varchar(200), phone varchar(30), meta json, updated_at timestamp(6) NOT NULL);
SET time_zone = '+00:00';
INSERT INTO contacts SELECT seq, seq % 100000, CONCAT('Contact ', seq), CONCAT('user', seq, '@example.com'),
  CONCAT('+1 555 ', LPAD(seq % 10000, 4, '0')),
  JSON_OBJECT('tags', JSON_ARRAY('friend', 'work'), 'n', seq,
    'addr', JSON_OBJECT('city', CONCAT('City ', seq % 500), 'zip', LPAD(seq % 99999, 5, '0'))),
  TIMESTAMP'2009-10-01 00:00:00' + INTERVAL seq SECOND
FROM seq_1_to_$ROWS;"
  # Built on both servers without the binlog (faster than replicating 5M rows); replication itself
  # stays on, which pt-table-checksum needs to carry its checksum queries to the replica.
  "${MY[@]}" -P "$IA_MARIADB_PRIMARY_PORT" -e "SET sql_log_bin=0; $ddl" &
  "${MY[@]}" -P "$IA_MARIADB_REPLICA_PORT" -e "SET sql_log_bin=0; $ddl" &
  wait
  "${MY[@]}" -P "$IA_MARIADB_REPLICA_PORT" bench -e "SET sql_log_bin=0; SET time_zone='+00:00';
UPDATE contacts SET email = 'changed@example.com' WHERE id IN ($(changed_ids | head -20 | join));
UPDATE contacts SET meta = JSON_SET(meta, '$.addr.city', 'Elsewhere') WHERE id IN ($(changed_ids | tail -20 | join));
DELETE FROM contacts WHERE id IN ($(missing_ids | join));
INSERT INTO contacts SELECT seq, 1, 'extra', NULL, NULL, NULL, NOW() FROM seq_1_to_1 JOIN (SELECT 1) x WHERE 0;"
  for i in $(extra_ids); do echo "($i, 1, 'extra', NULL, NULL, NULL, NOW())"; done | paste -sd, - |
    sed 's/^/SET sql_log_bin=0; INSERT INTO contacts VALUES /' | "${MY[@]}" -P "$IA_MARIADB_REPLICA_PORT" bench
  echo "setup: $((SECONDS - t0)) s"
  # Let InnoDB finish flushing the load (background work would slow whichever tool runs first).
  for port in "$IA_MARIADB_PRIMARY_PORT" "$IA_MARIADB_REPLICA_PORT"; do
    for _ in $(seq 1 120); do
      dirty=$("${MY[@]}" -P "$port" -e "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'" | awk '{print $2}')
      [ "$dirty" -lt 10000 ] && break
      sleep 1
    done
  done
  cat >"$OUT/mariadb.yml" <<YML
endpoints:
  p: { url: "jdbc:mariadb://127.0.0.1:$IA_MARIADB_PRIMARY_PORT/bench", user: root }
  c: { url: "jdbc:mariadb://127.0.0.1:$IA_MARIADB_REPLICA_PORT/bench", user: root }
datasets:
  bench:
    primary: p
    replicas: [c]
    tables:
      - { name: contacts, key: [id], owner: user_id }
logging: { level: WARN }
YML
  cds_archive mariadb
  pt_run() { # round -> prints its line, appends its wall time to $OUT/pt.walls
    local i=$1
    "${MY[@]}" -P "$IA_MARIADB_PRIMARY_PORT" -e "CREATE DATABASE IF NOT EXISTS percona;
      CREATE TABLE IF NOT EXISTS percona.dsns (id int AUTO_INCREMENT PRIMARY KEY, parent_id int, dsn varchar(255) NOT NULL);
      DELETE FROM percona.dsns; INSERT INTO percona.dsns (dsn) VALUES ('h=127.0.0.1,P=$IA_MARIADB_REPLICA_PORT,u=root');
      DROP TABLE IF EXISTS percona.checksums;"
    local s0 s1 ptcode w
    s0=$(date +%s.%N)
    set +e
    pt-table-checksum "h=127.0.0.1,P=$IA_MARIADB_PRIMARY_PORT,u=root" --databases bench --tables contacts \
      --recursion-method "dsn=h=127.0.0.1,P=$IA_MARIADB_PRIMARY_PORT,u=root,D=percona,t=dsns" \
      --no-check-binlog-format --no-check-replication-filters >"$OUT/pt$i.out" 2>&1
    ptcode=$?
    set -e
    s1=$(date +%s.%N)
    w=$(python3 -c "print(round($s1-$s0,2))")
    echo "$w" >>"$OUT/pt.walls"
    echo "pt-table-checksum: exit $ptcode, wall ${w}s, result: $(grep -E 'contacts' "$OUT/pt$i.out" | tail -1 | tr -s ' ')"
  }
  local have_pt=0
  command -v pt-table-checksum >/dev/null && have_pt=1
  # The first full read after loading runs slower for whichever tool goes first (InnoDB's
  # background work, cold adaptive hash index): one untimed run of each, then the timed runs
  # alternate so both tools see the same state of the machine.
  echo "warm-up (untimed): one audit$( [ $have_pt = 1 ] && echo ' and one pt-table-checksum run')"
  run_audit mariadb0 "$OUT/mariadb.yml" >/dev/null
  rm -f "$OUT/pt.walls"
  if [ $have_pt = 1 ]; then pt_run 0 >/dev/null; rm -f "$OUT/pt.walls"; fi
  for i in 1 2 3; do
    run_audit "mariadb$i" "$OUT/mariadb.yml"
    if [ $have_pt = 1 ]; then pt_run "$i"; fi
  done
  if [ $have_pt = 1 ]; then
    local pts
    pts=$(paste -sd, "$OUT/pt.walls")
    echo "  (pt-table-checksum reports chunks that differ, not rows; see $OUT/pt1.out)"
    local walls
    walls=$(cat "$OUT"/mariadb[123].wall | paste -sd, -)
    python3 -c "
a=sorted([$walls]); p=sorted([$pts])
print('MariaDB: audit best of 3 %.2fs, median %.2fs; pt-table-checksum best %.2fs, median %.2fs' % (a[0], a[1], p[0], p[1]))"
  fi
}

case "$WHAT" in
  pg) bench_pg ;;
  mariadb) bench_mariadb ;;
  *) bench_pg; bench_mariadb ;;
esac
