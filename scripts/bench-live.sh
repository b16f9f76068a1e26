#!/usr/bin/env bash
# Audit time of a PostgreSQL primary against its streaming standby, 1M rows (default), idle and
# under a steady write load (pgbench at RATE transactions/s of updates, inserts and deletes spread
# over the key space). Prints the wall time and findings of each audit (there must be none).
#
#   scripts/bench-live.sh [ROWS] [RATE]       (default 1000000 300)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
RATE=${2:-300}
scripts/topology.sh up >/dev/null
# shellcheck source=scripts/lib-topology-env.sh
source scripts/lib-topology-env.sh
[ -f target/integrity-auditor.jar ] || mvn -B -q -ntp package -DskipTests
OUT=target/bench
mkdir -p "$OUT"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d app)
"${PSQL[@]}" -p "$IA_PG_PRIMARY_PORT" <<SQL
DROP TABLE IF EXISTS live_bench;
CREATE TABLE live_bench (id bigint PRIMARY KEY, user_id int NOT NULL, email text, meta jsonb,
  updated_at timestamptz NOT NULL DEFAULT now());
INSERT INTO live_bench (id, user_id, email, meta) SELECT g, g % 100000, 'u' || g || '@example.com',
  jsonb_build_object('n', g, 'tags', jsonb_build_array('a', 'b')) FROM generate_series(1, $ROWS) g;
VACUUM ANALYZE live_bench;
SQL
lsn=$("${PSQL[@]}" -p "$IA_PG_PRIMARY_PORT" -At -c "SELECT pg_current_wal_lsn()")
until [ "$("${PSQL[@]}" -p "$IA_PG_STANDBY_PORT" -At -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ]; do sleep 0.2; done
cat >"$OUT/live.yml" <<YML
endpoints:
  p: { url: "$IA_PG_PRIMARY_URL", user: postgres }
  s: { url: "$IA_PG_STANDBY_URL", user: postgres }
datasets:
  live:
    primary: p
    replicas: [s]
    tables:
      - { name: public.live_bench, key: [id], owner: user_id }
logging: { level: WARN }
YML
cat >"$OUT/live-writer.sql" <<SQL
\set id random(1, $ROWS)
\set op random(1, 10)
UPDATE live_bench SET email = 'w' || random() || '@example.com', updated_at = now() WHERE id = :id AND :op <= 5;
INSERT INTO live_bench (id, user_id, email) SELECT $ROWS + (random() * 1e9)::bigint, :id % 100000, 'new' WHERE :op BETWEEN 6 AND 8 ON CONFLICT DO NOTHING;
DELETE FROM live_bench WHERE id = :id AND :op > 8;
SQL
audit() {
  local name=$1 t0 t1 code
  t0=$(date +%s.%N)
  set +e
  java -XX:+UseSerialGC -Xmx128m -XX:TieredStopAtLevel=1 -jar target/integrity-auditor.jar audit "$OUT/live.yml" --json >"$OUT/$name.json" 2>"$OUT/$name.err"
  code=$?
  set -e
  t1=$(date +%s.%N)
  echo "$name: exit $code, wall $(python3 -c "print(round($t1-$t0,2))") s, findings: $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(c["missing"]+c["extra"]+c["changed"] for t in r["tables"] for c in t["copies"]), r["replication"][0]["state"])' "$OUT/$name.json")"
}
audit idle
pgbench -n -h 127.0.0.1 -p "$IA_PG_PRIMARY_PORT" -U postgres -c 2 -R "$RATE" -T 60 -f "$OUT/live-writer.sql" app >"$OUT/pgbench.out" 2>&1 &
writer=$!
sleep 2
for i in 1 2 3; do audit "loaded-$i"; done
kill "$writer" 2>/dev/null || true
wait "$writer" 2>/dev/null || true
grep -E "^tps|number of transactions actually processed" "$OUT/pgbench.out" || true
