package io.integrityauditor.dialect;

import io.integrityauditor.engine.Buckets;
import io.integrityauditor.engine.Column;
import io.integrityauditor.engine.DigestSource;
import io.integrityauditor.engine.TableShape;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PostgreSQL. Between PostgreSQL tables with identical column types, rows are hashed in the server
 * by {@link #nativeRowHash}: one exact 64-bit hash per column (the type's own hash function where
 * it sees every difference of the stored value, else a hash of the value's text output), combined
 * and mixed again. Otherwise rows are hashed as md5 of the record's text form, which is unambiguous
 * (record_out quotes and escapes every field; NULL is empty, '' is {@code ""}).
 */
public final class PostgresDialect implements Dialect {
  private static final Set<String> INTEGRAL = Set.of("smallint", "integer", "bigint");

  @Override
  public String name() {
    return "postgresql";
  }

  @Override
  public String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  @Override
  public void prepareSession(Connection c, Duration statementTimeout) throws SQLException {
    c.setAutoCommit(true);
    try (Statement s = c.createStatement()) {
      // One round trip: the driver sends the statements together, and stops at the first that
      // fails (its error is thrown here).
      s.execute(
          String.join(
              "; ",
              // The isolation level chosen, not the database's default: under a serializable
              // default the audit's reads took predicate locks (an application's COMMIT then
              // failed, its transaction a pivot) and a hot standby refused every query
              // (IsolationLevelTest).
              "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED,"
                  + " READ ONLY",
              "SET statement_timeout = " + statementTimeout.toMillis(),
              "SET lock_timeout = 5000",
              "SET idle_in_transaction_session_timeout = " + statementTimeout.toMillis(),
              "SET TimeZone = 'UTC'",
              "SET DateStyle = 'ISO, YMD'",
              "SET IntervalStyle = 'postgres'",
              "SET extra_float_digits = 3",
              "SET bytea_output = 'hex'",
              // money prints in lc_monetary's format ($1,234.50 or 1.234,50 €): a copy whose
              // server or database has another default would differ in every such row
              // (SessionSettingsDriftTest).
              "SET lc_monetary = 'C'",
              "SET max_parallel_workers_per_gather = 0",
              // A query that row-level security would filter fails instead: an auditor role under
              // a policy read only the rows it may see, and the audit said CONSISTENT (exit 0)
              // with half a table compared (PostgresTableKindsTest).
              // application_name: the connection's (EndpointConnector's default
              // integrity-auditor, or the endpoint's ApplicationName); a SET here overrode a
              // configured one (review 1 of session 23).
              "SET row_security = off"));
    }
    c.setAutoCommit(false);
    c.setReadOnly(true);
  }

  /**
   * An inheritance parent is read alone ({@code ONLY}): its key covers its own rows, not its
   * children's, which may hold the same key (parent and child each with id 1: a false EXTRA and a
   * false CHANGED where one child row was missing). Each child is a table of its own to audit. A
   * partitioned table is read whole: its key covers every partition.
   */
  @Override
  public String fromReference(Connection c, String table) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT relkind = 'r' AND relhassubclass FROM pg_class"
                + " WHERE oid = CAST(? AS regclass)")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        boolean parent = rs.next() && rs.getBoolean(1);
        endTransaction(c);
        return parent ? "ONLY " + table : table;
      }
    }
  }

  /** Ends the read-only transaction of a session that is not in autocommit mode. */
  private static void endTransaction(Connection c) throws SQLException {
    if (!c.getAutoCommit()) {
      c.commit();
    }
  }

  @Override
  public TableShape describe(Connection c, TableCatalog.Request request) throws SQLException {
    TableShape shape = TableCatalog.describe(this, c, request);
    String regclass = quote(shape.schema()) + "." + quote(shape.name());
    List<Column> key = withFormattedTypes(c, regclass, shape.key());
    List<Column> compared = withFormattedTypes(c, regclass, shape.compared());
    Column owner =
        shape.owner() == null
            ? null
            : withFormattedTypes(c, regclass, List.of(shape.owner())).get(0);
    Column updated =
        shape.updatedAt() == null
            ? null
            : withFormattedTypes(c, regclass, List.of(shape.updatedAt())).get(0);
    endTransaction(c);
    return new TableShape(shape.schema(), shape.name(), key, compared, owner, updated, null);
  }

  /**
   * Replaces the driver's type names with format_type(), which keeps typmods: numeric(12,2). A
   * domain is named by the type it is over (through domains over domains): its values are that
   * type's, hashed and bound as such. Regression: a domain over unpadded bpchar was hashed by its
   * cast to text, which drops trailing spaces ('ab' = 'ab ').
   */
  private List<Column> withFormattedTypes(Connection c, String regclass, List<Column> cols)
      throws SQLException {
    List<Column> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "WITH RECURSIVE d(typ, typmod, depth) AS ("
                + " SELECT atttypid, atttypmod, 0 FROM pg_attribute"
                + " WHERE attrelid = CAST(? AS regclass) AND attname = ? AND NOT attisdropped"
                + " UNION ALL SELECT t.typbasetype, t.typtypmod, d.depth + 1"
                + " FROM d JOIN pg_type t ON t.oid = d.typ WHERE t.typtype = 'd' AND d.depth < 32)"
                + " SELECT format_type(typ, typmod) FROM d ORDER BY depth DESC LIMIT 1")) {
      for (Column col : cols) {
        ps.setString(1, regclass);
        ps.setString(2, col.name());
        try (ResultSet rs = ps.executeQuery()) {
          String type = rs.next() ? rs.getString(1) : col.typeName();
          out.add(new Column(col.name(), type, col.jdbcType(), col.nullable()));
        }
      }
    }
    return out;
  }

  @Override
  public ReplicationHealth replicationHealth(
      Connection primary, Connection replica, Duration maxLag) throws SQLException {
    try {
      // A primary that is itself a standby (a cascade's middle, or a configuration still naming a
      // node demoted by a failover) has no WAL insert position: what it has replayed is its
      // history. Regression (review 1 of session 22): every copy read UNKNOWN ("recovery is in
      // progress") and nothing said the primary was a standby.
      boolean primaryInRecovery = queryBoolean(primary, "SELECT pg_is_in_recovery()");
      String standbyNote =
          primaryInRecovery
              ? " (the primary is itself a standby in recovery: its replayed position was"
                  + " followed)"
              : "";
      if (!queryBoolean(replica, "SELECT pg_is_in_recovery()")) {
        if (primaryInRecovery) {
          return ReplicationHealth.of(
              ReplicationHealth.State.UNKNOWN,
              null,
              "the primary is a standby in recovery and this copy is a writable server"
                  + (sameSystem(primary, replica)
                      ? " of the same system: probably the real primary (primary and replica"
                          + " swapped in the configuration, or a failover it does not know)"
                      : "")
                  + ": compared directly");
        }
        ReplicationHealth logical = subscriberHealth(primary, replica, maxLag);
        return logical != null ? logical : notInRecovery(primary, replica);
      }
      if (queryBoolean(replica, "SELECT pg_is_wal_replay_paused()")) {
        return ReplicationHealth.of(
            ReplicationHealth.State.STOPPED, null, "WAL replay is paused (pg_wal_replay_pause)");
      }
      // A role without pg_read_all_stats sees the receiver's pid and a NULL status: a healthy
      // standby was STOPPED for such a role (a false finding, and compared without waiting). With
      // no status to read, whether it keeps up is judged by its replay below.
      String receiver =
          queryString(
              replica,
              "SELECT COALESCE(CAST(status AS text), '?') FROM pg_stat_wal_receiver"
                  + " WHERE pid IS NOT NULL");
      if (receiver == null || !(receiver.equals("streaming") || receiver.equals("?"))) {
        return ReplicationHealth.of(
            ReplicationHealth.State.STOPPED,
            null,
            "WAL receiver is not streaming (status: "
                + (receiver == null ? "none" : receiver)
                + ")");
      }
      // The insert position: with asynchronous commit a transaction is visible before its WAL is
      // written, and the write position would miss it (a lagging standby looked streaming).
      String lsn =
          queryString(
              primary,
              primaryInRecovery
                  ? "SELECT CAST(pg_last_wal_replay_lsn() AS text)"
                  : "SELECT CAST(pg_current_wal_insert_lsn() AS text)");
      // Not left open while the standby is waited for: the primary's session sat idle in
      // transaction for up to maxReplicaLag (holding back a concurrent CREATE INDEX
      // CONCURRENTLY), and the server ended it past the statement timeout, failing the check.
      endTransaction(primary);
      long t0 = System.nanoTime();
      long deadline = t0 + maxLag.toNanos();
      try (PreparedStatement ps =
          replica.prepareStatement(
              "SELECT COALESCE(pg_last_wal_replay_lsn() >= CAST(? AS pg_lsn), false),"
                  + " CAST(pg_last_wal_replay_lsn() AS text)")) {
        ps.setString(1, lsn);
        long sleep = 1;
        while (true) {
          String replayed;
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            if (rs.getBoolean(1)) {
              double lag = (System.nanoTime() - t0) / 1e9;
              return ReplicationHealth.of(
                  ReplicationHealth.State.STREAMING,
                  lag,
                  "streaming; applied " + lsn + standbyNote);
            }
            replayed = rs.getString(2);
          }
          endTransaction(replica);
          if (System.nanoTime() > deadline) {
            return ReplicationHealth.of(
                ReplicationHealth.State.LAGGING,
                (System.nanoTime() - t0) / 1e9,
                "has not replayed the primary's position "
                    + lsn
                    + " within "
                    + maxLag.toSeconds()
                    + " s (replayed up to "
                    + replayed
                    + ")"
                    + (receiver.equals("?")
                        ? "; its WAL receiver's status is not visible to this role (grant"
                            + " pg_read_all_stats)"
                        : "")
                    + standbyNote);
          }
          Thread.sleep(sleep);
          sleep = Math.min(100, sleep * 2);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ReplicationHealth.of(ReplicationHealth.State.UNKNOWN, null, "interrupted");
    } finally {
      endTransaction(primary);
      endTransaction(replica);
    }
  }

  /**
   * A logical subscriber of the primary: a subscription of the replica's database whose slot is a
   * logical slot of the primary's database. Null when the replica has none (not a subscriber).
   * Several: the worst one is reported.
   */
  @Override
  public java.util.Set<String> logicalSlots(Connection c) {
    try {
      return primaryLogicalSlots(c);
    } catch (SQLException e) {
      return null;
    }
  }

  /** The logical slots of the connection's database (its subscribers' subscriptions use them). */
  private static java.util.Set<String> primaryLogicalSlots(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT slot_name FROM pg_replication_slots WHERE slot_type = 'logical'"
                    + " AND database = current_database()")) {
      java.util.Set<String> out = new java.util.HashSet<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    } finally {
      endTransaction(c);
    }
  }

  private static ReplicationHealth subscriberHealth(
      Connection primary, Connection replica, Duration maxLag)
      throws SQLException, InterruptedException {
    record Sub(long oid, String name, String slot, boolean enabled, boolean worker) {}
    List<Sub> subs = new ArrayList<>();
    boolean originReadable = false;
    try (Statement s = replica.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT s.oid, s.subname, s.subslotname, s.subenabled,"
                    + " EXISTS (SELECT 1 FROM pg_stat_subscription w WHERE w.subid = s.oid"
                    + " AND w.relid IS NULL AND w.pid IS NOT NULL),"
                    + " has_function_privilege("
                    + "'pg_replication_origin_progress(text, boolean)', 'EXECUTE')"
                    + " FROM pg_subscription s WHERE s.subdbid ="
                    + " (SELECT oid FROM pg_database WHERE datname = current_database())"
                    + " AND s.subslotname IS NOT NULL ORDER BY s.subname")) {
      while (rs.next()) {
        subs.add(
            new Sub(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getBoolean(4),
                rs.getBoolean(5)));
        originReadable = rs.getBoolean(6);
      }
    }
    endTransaction(replica);
    if (subs.isEmpty()) {
      return null;
    }
    // Of those, the ones whose slot is on the primary, in the primary's database.
    java.util.Set<String> slots = primaryLogicalSlots(primary);
    List<Sub> ofPrimary = subs.stream().filter(sub -> slots.contains(sub.slot())).toList();
    if (ofPrimary.isEmpty()) {
      return null;
    }
    for (Sub sub : ofPrimary) {
      if (!sub.enabled()) {
        return ReplicationHealth.of(
            ReplicationHealth.State.STOPPED,
            null,
            "logical subscription " + sub.name() + " is disabled (ALTER SUBSCRIPTION ... ENABLE)");
      }
      if (!sub.worker()) {
        return ReplicationHealth.of(
            ReplicationHealth.State.STOPPED,
            null,
            "logical subscription "
                + sub.name()
                + " is enabled but its apply worker is not running (an apply error restarts"
                + " it in a loop: see the subscriber's log)");
      }
    }
    String lsn = queryString(primary, "SELECT CAST(pg_current_wal_insert_lsn() AS text)");
    endTransaction(primary);
    long t0 = System.nanoTime();
    long deadline = t0 + maxLag.toNanos();
    String names = String.join(", ", ofPrimary.stream().map(Sub::name).toList());
    StringBuilder ids = new StringBuilder();
    for (Sub sub : ofPrimary) {
      ids.append(ids.length() == 0 ? "" : ", ").append(sub.oid());
    }
    // Every subscription of the primary must have applied its position: the least of them.
    String sql =
        "SELECT COALESCE(bool_and(COALESCE(a >= CAST(? AS pg_lsn), false)), false),"
            + " CAST(min(a) AS text) FROM (SELECT "
            + appliedLsnSql(originReadable, "w.subid")
            + " AS a FROM pg_stat_subscription w WHERE w.relid IS NULL AND w.subid IN ("
            + ids
            + ")) x";
    try (PreparedStatement ps = replica.prepareStatement(sql)) {
      ps.setString(1, lsn);
      long sleep = 1;
      while (true) {
        String applied;
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getBoolean(1)) {
            double lag = (System.nanoTime() - t0) / 1e9;
            return ReplicationHealth.of(
                ReplicationHealth.State.STREAMING,
                lag,
                "logical subscriber (" + names + "); applied " + lsn);
          }
          applied = rs.getString(2);
        }
        endTransaction(replica);
        if (System.nanoTime() > deadline) {
          return ReplicationHealth.of(
              ReplicationHealth.State.LAGGING,
              (System.nanoTime() - t0) / 1e9,
              "logical subscriber ("
                  + names
                  + ") has not applied the primary's position "
                  + lsn
                  + " within "
                  + maxLag.toSeconds()
                  + " s (applied up to "
                  + applied
                  + ")");
        }
        Thread.sleep(sleep);
        sleep = Math.min(100, sleep * 2);
      }
    }
  }

  /**
   * A copy that is not in recovery: the same system identifier as the primary on another timeline
   * is a promoted standby (split brain); the same timeline is the primary's own server; another
   * system is an independent copy.
   */
  private static ReplicationHealth notInRecovery(Connection primary, Connection replica)
      throws SQLException {
    // The timeline from the current WAL file's name: a promoted standby is on a new one at once,
    // while pg_control_checkpoint() shows it only after the next checkpoint.
    String sql =
        "SELECT CAST(system_identifier AS text),"
            + " substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) FROM pg_control_system()";
    String[] p = queryPair(primary, sql);
    String[] r = queryPair(replica, sql);
    if (!p[0].equals(r[0])) {
      return ReplicationHealth.of(
          ReplicationHealth.State.NOT_A_REPLICA,
          null,
          "an independent database (another system identifier): compared directly");
    }
    if (p[1].equals(r[1])) {
      // One server, or two writable servers on one timeline: two standbys of one primary both
      // promoted (each moves to the next timeline). Told apart by the server's start time, to the
      // microsecond. Regression (review 1 of session 22): such a split brain read NOT_A_REPLICA
      // "on the primary's own server", CONSISTENT, exit 0.
      String started = "SELECT CAST(pg_postmaster_start_time() AS text)";
      String ps = queryString(primary, started);
      String rs = queryString(replica, started);
      if (ps.equals(rs)) {
        return ReplicationHealth.of(
            ReplicationHealth.State.NOT_A_REPLICA,
            null,
            "on the primary's own server (same system, same timeline): compared directly");
      }
      return ReplicationHealth.of(
          ReplicationHealth.State.FORKED,
          null,
          "another writable server of the primary's system on the same timeline "
              + r[1]
              + " (started "
              + rs
              + ", the primary "
              + ps
              + "): two standbys both promoted? writes there are a split brain");
    }
    return ReplicationHealth.of(
        ReplicationHealth.State.FORKED,
        null,
        "promoted: same system as the primary but on timeline "
            + r[1]
            + " (primary: "
            + p[1]
            + "); writes there are a split brain");
  }

  /**
   * SQL for the position of the primary's WAL up to which a logical subscriber has applied
   * everything, over a pg_stat_subscription row aliased {@code w} (the apply worker's).
   *
   * <p>{@code latest_end_lsn} is the position of the last keepalive the apply worker processed: the
   * walsender sends in it the end of the WAL it has decoded (so every transaction that committed
   * before it was sent), and the worker processes messages in order, applying and committing each
   * transaction before it reads the next message, so when the keepalive is processed all of them
   * are applied and visible. The walsender pings whenever it has decoded WAL the subscriber has not
   * confirmed, so the position advances on an idle primary too (where the last applied commit never
   * reaches the primary's insert position). {@code received_lsn} is not used: it is set before the
   * received transaction is applied. Where this session may read it, the replication origin's
   * progress (the end of the last applied commit) is taken too: it advances with every applied
   * transaction, also while the walsender is busy and sends no keepalives.
   */
  static String appliedLsnSql(boolean originReadable, String subidExpr) {
    return originReadable
        ? "GREATEST(w.latest_end_lsn, pg_replication_origin_progress('pg_' || "
            + subidExpr
            + ", false))"
        : "w.latest_end_lsn";
  }

  /** Whether two servers have one system identifier (one's a base backup of the other's). */
  private static boolean sameSystem(Connection a, Connection b) throws SQLException {
    String sql = "SELECT CAST(system_identifier AS text) FROM pg_control_system()";
    return queryString(a, sql).equals(queryString(b, sql));
  }

  private static String[] queryPair(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return new String[] {rs.getString(1), rs.getString(2)};
    }
  }

  private static boolean queryBoolean(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  private static String queryString(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /**
   * Column types whose default hash function sees every difference of the stored value, by {@code
   * format_type} name without modifiers, and that function: each takes the whole value (at most 32
   * bits, or bytes). Left out on purpose, since their hash follows equality or folds: {@code
   * bigint} and every 64-bit type (timestamp, timestamptz, time, money: {@code hashint8extended}
   * folds the value to 32 bits first, so -1 = 4294967295), {@code numeric} (its hash ignores the
   * sign and the scale, and XORs the weight in: 100 = -100), {@code timetz} (time and zone hashed
   * symmetrically), {@code jsonb} (a scale-blind numeric hash, and array elements 32 apart can swap
   * unseen), {@code interval} ('1 day' = '24 hours'), {@code float4/8} (0 = -0), text under a
   * nondeterministic collation (hashed under "C" here).
   */
  private static final java.util.Map<String, String> EXACT_HASH =
      java.util.Map.ofEntries(
          java.util.Map.entry("smallint", "hashint2extended"),
          java.util.Map.entry("integer", "hashint4extended"),
          java.util.Map.entry("text", "hashtextextended"),
          java.util.Map.entry("character varying", "hashtextextended"),
          java.util.Map.entry("character", "hashbpcharextended"),
          java.util.Map.entry("uuid", "uuid_hash_extended"));

  private static final java.util.Set<String> TEXTUAL =
      java.util.Set.of("text", "character varying", "character");

  /**
   * 64-bit types hashed over their binary form: the type's send function gives its 8 bytes, which
   * {@code hash_array_extended} of a one-element bytea array hashes whole (no SQL function takes a
   * bytea directly). The type's own hash folds the value to 32 bits, and no cheaper exact form
   * exists in SQL (5M values: 0.74 - 0.99 s, against 0.96 s for the text form and 0.39 - 0.59 s for
   * the folded hash). The binary form is the wire protocol's, the same on every version.
   */
  private static final java.util.Map<String, String> HASHED_BY_SEND =
      java.util.Map.of(
          "timestamp with time zone", "timestamptz_send",
          "timestamp without time zone", "timestamp_send");

  /**
   * Types whose own hash is exact but that no SQL function hashes directly: {@code
   * hash_array_extended} of a one-element array calls the element type's extended hash. A bytea is
   * so hashed over its bytes: 0.18 s against 0.53 s for its hex text over 50,000 values of 8 kB,
   * the same for 32-byte values (0.27 against 0.28 s per 2M). Not date or boolean, whose text is as
   * cheap as the array (0.27 against 0.23 s, 0.20 against 0.23 s per 2M).
   */
  private static final java.util.Set<String> HASHED_IN_ARRAY = java.util.Set.of("bytea");

  /**
   * The NATIVE row hash over these columns ({@code refs}: how to refer to each): the XOR of one
   * exact 64-bit hash per column, then mixed as a whole so the row hashes are not linear in the
   * column hashes before they are summed (with a plain XOR, the same edit made to two rows of a
   * part would cancel in the sum whenever the two row hashes differ in every bit the edit flips).
   * Each column's hash is seeded with its position (a value moved to another column changes the row
   * hash) and NULL is a constant of the column's own.
   *
   * <p>Every 64 bits count. PostgreSQL's {@code hashint8extended} folds its value to 32 bits (high
   * half XOR low half) before hashing, so neither a bigint nor the row's XOR goes through it as the
   * value: each is passed as the seed of {@code hashint4extended}, whose 64 bits enter the hash
   * state whole ({@code hashint4extended(position, value)}). A bigint of -1 and one of 4294967295,
   * or two timestamps 71.6 minutes apart with the right microseconds, hashed alike before.
   *
   * <p>Exact means: two stored values hash alike only if they are the same value, not merely equal
   * by the type's rules. Small integers, uuids and strings (under the "C" collation) use the type's
   * own extended hash, bigints their whole value as a seed, timestamps and timestamptz their 8
   * bytes ({@link #HASHED_BY_SEND}; a timestamptz is its instant, whatever the session's zone), a
   * bytea its bytes through a one-element array ({@link #HASHED_IN_ARRAY}), an object identifier
   * ({@code regclass}, {@code regtype}, ...) the object's qualified identity ({@link
   * #pathFreeText}); every other type — numeric, jsonb, json, floats, interval, time, timetz,
   * arrays, dates, booleans, enums — hashes its text output, which the session's settings (UTC, ISO
   * dates, shortest exact floats) make the same on both sides. A domain arrives here as the type it
   * is over ({@link #describe}). The expression depends on the column types only, never on
   * nullability, so both sides of a pair with identical types compute the same hashes.
   */
  static String nativeRowHash(List<Column> columns, List<String> refs) {
    List<String> terms = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      String type = columns.get(i).typeName().replaceAll("\\(\\d+(,\\s*-?\\d+)?\\)", "");
      String ref = refs.get(i);
      long seed = i + 1L;
      String fn = EXACT_HASH.get(type);
      if (TEXTUAL.contains(type)) {
        ref = ref + " COLLATE \"C\"";
      }
      String send = HASHED_BY_SEND.get(type);
      if (send != null || HASHED_IN_ARRAY.contains(type)) {
        // A NULL is the array of one NULL (hash 31 for every column): the column's constant makes
        // it one of the column's own, as orNull does for the others.
        terms.add(
            "(hash_array_extended(ARRAY["
                + (send == null ? ref : send + "(" + ref + ")")
                + "], "
                + seed
                + ") # CAST("
                + (seed * 0x5851F42D4C957F2DL)
                + " AS bigint))");
      } else if (type.equals("bigint")) {
        terms.add(orNull("hashint4extended(" + seed + ", " + ref + ")", seed));
      } else if (fn != null) {
        terms.add(orNull(fn + "(" + ref + ", " + seed + ")", seed));
      } else if (pathFreeText(ref, type) != null) {
        terms.add(
            orNull(
                "hashtextextended(" + pathFreeText(ref, type) + " COLLATE \"C\", " + seed + ")",
                seed));
      } else if (type.equals("bpchar")) {
        // Unpadded bpchar keeps trailing spaces its cast to text would strip: its output form.
        terms.add(
            orNull(
                "hashtextextended(textin(bpcharout(" + ref + ")) COLLATE \"C\", " + seed + ")",
                seed));
      } else {
        terms.add(
            orNull(
                "hashtextextended(CAST(" + ref + " AS text) COLLATE \"C\", " + seed + ")", seed));
      }
    }
    return "hashint4extended(0, " + String.join(" # ", terms) + ")";
  }

  /**
   * The catalog each object-identifier type names an object of, for the types whose text output
   * depends on the session's {@code search_path}: a {@code regclass} prints {@code s1.t} where
   * {@code s1} is not on the path and {@code t} where it is, so two servers whose auditor roles
   * have different paths would print the same table differently (a false CHANGED). regnamespace and
   * regrole print plain names and are left to their output.
   */
  private static final java.util.Map<String, String> OBJECT_CATALOG =
      java.util.Map.of(
          "regclass", "pg_class",
          "regtype", "pg_type",
          "regproc", "pg_proc",
          "regprocedure", "pg_proc",
          "regoper", "pg_operator",
          "regoperator", "pg_operator",
          "regconfig", "pg_ts_config",
          "regdictionary", "pg_ts_dict",
          "regcollation", "pg_collation");

  /**
   * The text of an object-identifier value that does not depend on the session's {@code
   * search_path} (see {@link #OBJECT_CATALOG}): the object's fully qualified identity ({@code
   * pg_identify_object}: {@code s1.t}, {@code pg_catalog.lower(pg_catalog.text)}), or {@code #} and
   * the number for an identifier no object has; NULL stays NULL. Null for other types.
   */
  static String pathFreeText(String ref, String type) {
    if (type.endsWith("[]") && OBJECT_CATALOG.containsKey(type.substring(0, type.length() - 2))) {
      // An array of them (of any dimensions: the type's name does not say): its bounds, then each
      // element's identity quoted (NULL unquoted), in storage order. '{}' has no bounds, so the
      // '=' keeps it apart from NULL.
      String element = pathFreeText("ia_u.ia_e", type.substring(0, type.length() - 2));
      return "CASE WHEN "
          + ref
          + " IS NULL THEN NULL ELSE COALESCE(array_dims("
          + ref
          + "), '') || '=' || COALESCE((SELECT string_agg(quote_nullable("
          + element
          + "), ',' ORDER BY ia_u.ia_o) FROM unnest("
          + ref
          + ") WITH ORDINALITY AS ia_u(ia_e, ia_o)), '') END";
    }
    String catalog = OBJECT_CATALOG.get(type);
    if (catalog == null) {
      return null;
    }
    String oid = "CAST(" + ref + " AS oid)";
    return "COALESCE((pg_identify_object(CAST('pg_catalog."
        + catalog
        + "' AS regclass), "
        + oid
        + ", 0)).identity, '#' || CAST("
        + oid
        + " AS text))";
  }

  /**
   * A column as the CANONICAL hash (PostgreSQL tables whose column types differ) renders it in the
   * row's text: as the value the cross-engine comparison sees, so that types holding the same
   * values compare equal. Regressions (each a false CHANGED): {@code character(n)} keeps its
   * padding in a row's text, so 'ab' against a varchar 'ab' differed (and no column was named);
   * {@code json} against {@code jsonb} holding the same document; {@code timestamptz} ({@code +00})
   * against {@code timestamp} holding its UTC time. Object identifiers: {@link #pathFreeText}.
   */
  static String canonicalRef(String ref, String type) {
    if (type.endsWith(TableShape.TRIMMED_SCALE)) {
      // a decimal declared with another scale on another side: its number without trailing
      // fractional zeros (TableShape#scaleDrift)
      String text = "CAST(" + ref + " AS text)";
      return "CASE WHEN strpos("
          + text
          + ", '.') > 0 THEN rtrim(rtrim("
          + text
          + ", '0'), '.') ELSE "
          + text
          + " END";
    }
    if (type.endsWith(TableShape.UNPADDED)) {
      // text against a character(n) on another side (TableShape#padDrift): without trailing spaces
      return "rtrim(CAST(" + ref + " AS text), ' ')";
    }
    if (type.endsWith(TableShape.DATE_AS_TIMESTAMP)) {
      // a date against a timestamp on another side (TableShape#dateDrift): its midnight
      return "CAST(" + ref + " AS timestamp)";
    }
    String identity = pathFreeText(ref, type);
    if (identity != null) {
      return identity;
    }
    if (type.startsWith("character(")) {
      // an array's elements likewise (review 7 of session 24: character(3)[] against varchar(3)[]
      // was CHANGED on every row)
      return "CAST(" + ref + " AS text" + (type.endsWith("[]") ? "[])" : ")");
    }
    if (type.startsWith("timestamp") && type.endsWith("with time zone[]")) {
      // each element's UTC time: the session's TimeZone is UTC (as the scalar's AT TIME ZONE)
      return "CAST(" + ref + " AS timestamp[])";
    }
    if (type.equals("jsonb")) {
      // a column json here and jsonb on another side, relabelled jsonb (TableShape#withJsonb);
      // json on every side keeps its text
      return "CAST(" + ref + " AS jsonb)";
    }
    if (type.startsWith("timestamp") && type.endsWith("with time zone")) {
      return "(" + ref + " AT TIME ZONE 'UTC')";
    }
    if (type.equals("boolean") || type.equals("boolean[]")) {
      // as the numbers 1 and 0, a boolean's canonical text on every path (the JVM's, MariaDB's
      // BOOLEAN): a boolean against an integer copy holding 1 and 0 was CHANGED on every row
      // (review 2 of session 25)
      return "CAST(" + ref + " AS integer" + (type.endsWith("[]") ? "[])" : ")");
    }
    if (type.equals("inet")) {
      // its output ('10.0.0.1'), as the row's text and the JVM read it; its cast to text adds the
      // mask ('10.0.0.1/32'), so the columns named of a CHANGED row against a text copy were not
      // the columns that differed in the row's text (none, or one that did not differ)
      return "textin(inet_out(" + ref + "))";
    }
    if (type.equals("real") || type.equals("real[]")) {
      // widened to double, as the JVM and MariaDB's canonical encoding read a float32: a real
      // printed 0.1 where a double precision copy of the same value prints 0.10000000149011612
      // (a false CHANGED after a real -> double precision migration: review 4 of session 20)
      return "CAST(" + ref + " AS double precision" + (type.endsWith("[]") ? "[])" : ")");
    }
    return ref;
  }

  /** A column hash, or when it is NULL a constant of its own (one per {@code tag}). */
  private static String orNull(String hash, long tag) {
    return "COALESCE(" + hash + ", CAST(" + (tag * 0x5851F42D4C957F2DL) + " AS bigint))";
  }

  /**
   * Each key column's collation as its provider and locale, the database's own for "default"
   * (fields read through to_jsonb, whose names changed across versions: daticulocale / datlocale).
   */
  @Override
  public List<String> keyOrder(Connection c, TableShape shape) throws SQLException {
    String regclass = quote(shape.schema()) + "." + quote(shape.name());
    Map<String, String> byName = new HashMap<>();
    // The collation library's version as the server sees it now: a glibc or ICU upgrade on one
    // side may sort the same locale differently (PostgreSQL 15 reports it for the database
    // default too; before, only for explicit collations).
    String version =
        c.getMetaData().getDatabaseMajorVersion() >= 15
            ? "CASE WHEN co.collprovider IS NULL OR co.collprovider = 'd'"
                + " THEN pg_database_collation_actual_version(d.oid)"
                + " ELSE pg_collation_actual_version(co.oid) END"
            : "CASE WHEN co.collprovider IS NULL OR co.collprovider = 'd' THEN NULL"
                + " ELSE pg_collation_actual_version(co.oid) END";
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT a.attname, a.attcollation <> 0,"
                + " COALESCE(NULLIF(CAST(co.collprovider AS text), 'd'), to_jsonb(d) ->> 'datlocprovider'),"
                + " CASE WHEN co.collprovider IS NULL OR co.collprovider = 'd'"
                + " THEN COALESCE(to_jsonb(d) ->> 'daticulocale', to_jsonb(d) ->> 'datlocale')"
                + " ELSE COALESCE(to_jsonb(co) ->> 'colliculocale', to_jsonb(co) ->> 'colllocale')"
                + " END,"
                + " CASE WHEN co.collprovider IS NULL OR co.collprovider = 'd' THEN d.datcollate"
                + " ELSE co.collcollate END,"
                + " ty.typname,"
                + " (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e"
                + " WHERE e.enumtypid = a.atttypid), "
                + version
                + ", pg_encoding_to_char(d.encoding)"
                + " FROM pg_attribute a LEFT JOIN pg_collation co ON co.oid = a.attcollation"
                + " JOIN pg_type ty ON ty.oid = a.atttypid,"
                + " pg_database d WHERE d.datname = current_database()"
                + " AND a.attrelid = CAST(? AS regclass) AND a.attnum > 0")) {
      ps.setString(1, regclass);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String order =
              rs.getBoolean(2)
                  ? sortOrder(
                      rs.getString(3),
                      rs.getString(4),
                      rs.getString(5),
                      rs.getString(8),
                      rs.getString(9))
                  : "";
          if (rs.getString(7) != null) {
            // An enum sorts by its labels' declared order, which two databases may not share.
            order = "enum:" + rs.getString(7);
          } else if ("citext".equals(rs.getString(6))) {
            order = "citext/" + order;
          }
          byName.put(rs.getString(1), order);
        }
      }
    }
    endTransaction(c);
    List<String> out = new ArrayList<>();
    for (Column k : shape.key()) {
      out.add(byName.getOrDefault(k.name(), "?"));
    }
    return out;
  }

  /**
   * A collation as "binary" (code-point order) or provider:locale, normalised, with "@" and the
   * collation library's version when the server reports one: the same locale under another glibc or
   * ICU version may sort otherwise (the copy is then compared as one range, correct either way).
   * "C" sorts by bytes, which is code-point order in UTF8 and LATIN1 only; in another encoding it
   * is "bytes:" and the encoding. Regression (review 2 of session 21): a WIN1252 "C" copy counted
   * as code-point order, where € (0x80) sorts before é (0xE9), so an identical copy compared by the
   * primary's key ranges had 16,878 false MISSING and 750 false EXTRA rows of 30,000.
   */
  static String sortOrder(
      String provider, String icuLocale, String libcLocale, String version, String encoding) {
    String p = provider == null ? "c" : provider;
    String locale = (p.equals("c") ? libcLocale : icuLocale);
    if (locale == null) {
      locale = libcLocale == null ? "" : libcLocale;
    }
    String norm = locale.toLowerCase(java.util.Locale.ROOT).replace("utf-8", "utf8");
    if (!p.equals("i") && Set.of("c", "posix", "c.utf8").contains(norm)) {
      // Only UTF8: a LATIN1 copy sorts alike, but the primary's bounds may hold characters it
      // cannot (review 6 of session 21: "no equivalent in encoding LATIN1" failed the copy).
      return encoding == null || encoding.equals("UTF8") ? "binary" : "bytes:" + encoding;
    }
    return (p.equals("i") ? "icu:" : p.equals("b") ? "builtin:" : "libc:")
        + norm
        + (version == null || version.isEmpty() ? "" : "@" + version);
  }

  /**
   * The server encoding: text is hashed as stored, so 'café' in a UTF8 and in a LATIN1 database
   * hashes differently in SQL (every such row was reported CHANGED; SessionSettingsDriftTest).
   */
  /**
   * The Java name of a server encoding that cannot hold every character, or null (UTF8, SQL_ASCII —
   * which converts nothing —, an unknown name).
   */
  static String javaCharset(String encoding) {
    if (encoding == null) {
      return null;
    }
    String e = encoding.toUpperCase(java.util.Locale.ROOT);
    String name =
        switch (e) {
          case "UTF8", "SQL_ASCII" -> null;
          case "LATIN1" -> "ISO-8859-1";
          case "LATIN2" -> "ISO-8859-2";
          case "LATIN3" -> "ISO-8859-3";
          case "LATIN4" -> "ISO-8859-4";
          case "LATIN5" -> "ISO-8859-9";
          case "LATIN6" -> "ISO-8859-10";
          case "LATIN7" -> "ISO-8859-13";
          case "LATIN8" -> "ISO-8859-14";
          case "LATIN9" -> "ISO-8859-15";
          case "LATIN10" -> "ISO-8859-16";
          case "ISO_8859_5" -> "ISO-8859-5";
          case "ISO_8859_6" -> "ISO-8859-6";
          case "ISO_8859_7" -> "ISO-8859-7";
          case "ISO_8859_8" -> "ISO-8859-8";
          case "KOI8R" -> "KOI8-R";
          case "KOI8U" -> "KOI8-U";
          case "WIN866" -> "IBM866";
          case "WIN874" -> "x-windows-874";
          case "EUC_JP" -> "EUC-JP";
          case "EUC_KR" -> "EUC-KR";
          case "EUC_CN" -> "GB2312";
          case "EUC_TW" -> "x-EUC-TW";
          case "EUC_JIS_2004" -> "x-euc-jp-linux";
          default -> e.startsWith("WIN") ? "windows-" + e.substring(3) : null;
        };
    return name;
  }

  @Override
  public String sqlHashingContext(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_setting('server_encoding')")) {
      rs.next();
      String encoding = rs.getString(1);
      endTransaction(c);
      return encoding;
    }
  }

  @Override
  public boolean supportsNative(Connection c, TableShape shape) {
    // Every type has a text output, so the native hash covers any column; the probe with a row of
    // typed NULLs still checks that the expression plans on this server before it is relied on.
    List<String> nulls = new ArrayList<>();
    for (Column col : shape.compared()) {
      nulls.add("CAST(NULL AS " + col.typeName() + ")");
    }
    try (Statement s = c.createStatement()) {
      s.executeQuery("SELECT " + nativeRowHash(shape.compared(), nulls)).close();
      endTransaction(c);
      return true;
    } catch (SQLException e) {
      try {
        c.rollback();
      } catch (SQLException ignored) {
        // nothing to undo
      }
      return false;
    }
  }

  @Override
  public DigestSource digestSource(
      Connection c, TableShape shape, HashFlavor flavor, Duration timeout) {
    if (flavor == HashFlavor.JVM) {
      return new JvmDigestSource(this, c, shape, timeout);
    }
    return new Source(c, shape, flavor, timeout);
  }

  /** A WAL position ({@code X/Y}, hexadecimal) as a number; -1 when it is not one. */
  static long lsn(String position) {
    int slash = position.indexOf('/');
    if (slash <= 0) {
      return -1;
    }
    try {
      long hi = Long.parseUnsignedLong(position.substring(0, slash), 16);
      long lo = Long.parseUnsignedLong(position.substring(slash + 1), 16);
      if (hi > 0xFFFFFFFFL || lo > 0xFFFFFFFFL || hi > 0x7FFFFFFFL) {
        return -1;
      }
      return hi << 32 | lo;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private final class Source extends JdbcDigestSource {
    private final String hash;
    private final boolean canonical;

    Source(Connection c, TableShape shape, HashFlavor flavor, Duration timeout) {
      super(PostgresDialect.this, c, shape, timeout);
      sessionOpened(c);
      List<String> cols = new ArrayList<>();
      List<String> texts = new ArrayList<>();
      for (Column col : shape.compared()) {
        cols.add(quote(col.name()));
        texts.add(canonicalRef(quote(col.name()), col.typeName()));
      }
      this.canonical = flavor != HashFlavor.NATIVE;
      String row = "ROW(" + String.join(", ", texts) + ")";
      this.hash =
          flavor == HashFlavor.NATIVE
              ? nativeRowHash(shape.compared(), cols)
              : "CAST(CAST('x' || substr(md5(CAST("
                  + row
                  + " AS text)), 1, 16) AS bit(64)) AS bigint)";
    }

    @Override
    String hashExpr() {
      return hash;
    }

    /** {@code OFFSET 0} keeps the subquery, so the row hash is computed once for the three sums. */
    @Override
    protected io.integrityauditor.engine.Digest.Weight decodes() {
      return io.integrityauditor.engine.Digest.Weight.HASH_LOW32;
    }

    /**
     * One sequential scan with a hash aggregate over the key's parts costs what the scan costs; the
     * same rows read chunk by chunk through the key index cost 12 - 15% more per row (5M rows, one
     * backend's CPU: 2.88 - 2.96 s against 3.27 - 3.38 s), and the whole-table statement is
     * JIT-compiled where the short chunk queries are not worth it.
     */
    @Override
    protected boolean onePass() {
      return true;
    }

    /**
     * Every query of this source is a single statement returning a digest, a few keys or at most a
     * leaf's rows: it runs in its own implicit transaction (read-only by the session's default),
     * which saves the COMMIT round trip of an explicit one per query (~0.1-0.2 ms measured).
     */
    @Override
    protected void sessionOpened(Connection session) {
      try {
        session.setAutoCommit(true);
      } catch (SQLException e) {
        throw new DatabaseException(e);
      }
    }

    /** Single-column keys: width_bucket's binary search in C beats a CASE tree per row. */
    @Override
    protected void bucketExpr(Sql sql, List<String> exprs, Buckets buckets) {
      if (!(buckets instanceof Buckets.Starts starts)
          || exprs.size() != 1
          || starts.starts().isEmpty()
          || shape.key().get(0).typeName().endsWith("]")) {
        // an array-typed key has no width_bucket (width_bucket(integer[], integer[]) does not
        // exist: an int[] key of 6,000 rows with one difference failed the copy)
        super.bucketExpr(sql, exprs, buckets);
        return;
      }
      Column c = shape.key().get(0);
      Object[] values = new Object[starts.starts().size()];
      for (int i = 0; i < values.length; i++) {
        Object v = starts.starts().get(i).get(0);
        if (v instanceof String t && t.indexOf('\0') >= 0) {
          // a start read from a copy whose text holds U+0000: where it lies among text without
          // one (JdbcDigestSource#compare)
          v = t.substring(0, t.indexOf('\0')) + '\u0001';
        }
        // a bytea key's bytes (Values#keyAsRead) as bytea's text
        values[i] =
            v instanceof byte[] b
                ? "\\x" + java.util.HexFormat.of().formatHex(b)
                : String.valueOf(v);
      }
      try {
        java.sql.Array array = conn.createArrayOf("text", values);
        String type = integral(c) ? "bigint" : c.typeName();
        sql.append("width_bucket(").append(exprs.get(0)).append(", CAST(");
        sql.param("?", array, null);
        sql.append(" AS " + type + "[]))");
      } catch (SQLException e) {
        throw new DatabaseException(e);
      }
    }

    private boolean integral(Column c) {
      return INTEGRAL.contains(c.typeName());
    }

    private boolean decimal(Column c) {
      return c.typeName().startsWith("numeric");
    }

    @Override
    String keyReadExpr(String expr, Column c) {
      return integral(c) || decimal(c) ? expr : "CAST(" + expr + " AS text)";
    }

    @Override
    Object readKey(ResultSet rs, int idx, Column c) throws SQLException {
      if (integral(c)) {
        long v = rs.getLong(idx);
        return rs.wasNull() ? null : v;
      }
      if (decimal(c)) {
        // NaN and ±Infinity (numeric since PostgreSQL 14) are no BigDecimal: as their text. The
        // copy failed on such a key ("Bad value for type BigDecimal : NaN") whenever the table
        // held a difference.
        String text = rs.getString(idx);
        return text == null || !Character.isLetter(text.charAt(text.length() - 1))
            ? (text == null ? null : new BigDecimal(text))
            : text;
      }
      return rs.getString(idx);
    }

    @Override
    String placeholder(Column c) {
      if (integral(c)) {
        return "CAST(? AS bigint)";
      }
      return "CAST(? AS " + c.typeName() + ")";
    }

    /** The zone applications of this database write in ({@link #defaultZone}), once. */
    private String defaultZone;

    /**
     * A {@code timestamp without time zone} (or {@code date}) updatedAt holds the wall time of the
     * zone the application's sessions write in: the database's default zone (the server's, the
     * database's or the role's {@code TimeZone}), not the auditor's UTC. Regression (review 6 of
     * session 22): with the database in Asia/Kolkata, rows written before the audit and missing on
     * the copy were in flight (CONSISTENT, exit 0); in America/New_York, a row written during the
     * audit was a false MISSING.
     */
    @Override
    void watermarkParam(Sql sql, Object value, Column c) {
      String type = c.typeName().toLowerCase(java.util.Locale.ROOT);
      boolean zoneless =
          type.equals("date") || type.startsWith("timestamp") && type.contains("without time zone");
      String zone = zoneless ? defaultZone() : null;
      if (zone == null || zone.equalsIgnoreCase("UTC") || zone.equalsIgnoreCase("Etc/UTC")) {
        super.watermarkParam(sql, value, c);
        return;
      }
      sql.append("CAST((CAST(");
      sql.param("?", value, null);
      sql.append(" AS timestamptz) AT TIME ZONE '" + zone.replace("'", "''") + "') AS ");
      sql.append(c.typeName()).append(")");
    }

    /**
     * The zone a session of this database starts in when its client names none (psql, libpq
     * applications; a JDBC client sends its JVM's zone instead): the role's and database's setting
     * ({@code ALTER DATABASE ... SET timezone}), else the server's configuration file (readable
     * with pg_read_all_settings), else UTC. This session's own zone (UTC, set by the auditor) says
     * nothing of it.
     */
    private String defaultZone() {
      if (defaultZone == null) {
        defaultZone =
            inTransaction(
                () -> {
                  try (Statement s = conn.createStatement();
                      ResultSet rs =
                          s.executeQuery(
                              "SELECT substr(c, 10) FROM pg_db_role_setting r,"
                                  + " unnest(r.setconfig) c"
                                  + " WHERE lower(c) LIKE 'timezone=%'"
                                  + " AND r.setdatabase IN (0, (SELECT oid FROM pg_database"
                                  + " WHERE datname = current_database()))"
                                  + " AND r.setrole IN (0, (SELECT oid FROM pg_roles"
                                  + " WHERE rolname = current_user))"
                                  + " ORDER BY (r.setrole <> 0 AND r.setdatabase <> 0) DESC,"
                                  + " (r.setrole <> 0) DESC, (r.setdatabase <> 0) DESC LIMIT 1")) {
                    if (rs.next() && rs.getString(1) != null) {
                      return rs.getString(1);
                    }
                  }
                  try (Statement s = conn.createStatement();
                      ResultSet rs =
                          s.executeQuery(
                              "SELECT setting FROM pg_file_settings WHERE lower(name) = 'timezone'"
                                  + " AND applied ORDER BY seqno DESC LIMIT 1")) {
                    return rs.next() && rs.getString(1) != null ? rs.getString(1) : "UTC";
                  } catch (SQLException e) {
                    return "UTC"; // pg_file_settings needs pg_read_all_settings
                  }
                });
      }
      return defaultZone;
    }

    @Override
    void bind(PreparedStatement ps, int idx, Object value, Column c) throws SQLException {
      if (value instanceof java.sql.Array a) {
        ps.setArray(idx, a);
      } else if (value instanceof Long l && c != null && c.bool()) {
        // a boolean key's number (Values#keyAsRead): no cast takes a bigint to a boolean
        ps.setBoolean(idx, l != 0);
      } else if (value instanceof Long l) {
        ps.setLong(idx, l);
      } else if (value instanceof BigDecimal d) {
        ps.setBigDecimal(idx, d);
      } else if (value instanceof byte[] b) {
        // a one-user audit's user of a bytea owner (Values#ownerValue)
        ps.setBytes(idx, b);
      } else {
        ps.setString(idx, value == null ? null : value.toString());
      }
    }

    /** The key columns' text under "C", hashed and mixed: collation-independent. */
    @Override
    String keyBucketExpr(List<String> keys, int n) {
      List<String> terms = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        terms.add(
            "hashtextextended(CAST(" + keys.get(i) + " AS text) COLLATE \"C\", " + (i + 1) + ")");
      }
      return "((hashint8extended(" + String.join(" # ", terms) + ", 0) & 2147483647) % " + n + ")";
    }

    /**
     * A column's text as the row hash sees it, to name the changed columns (the owner's as it is:
     * reported). A value whose text exceeds {@link DigestSource#WHOLE_VALUE_LIMIT} bytes, or starts
     * with the digest's mark (so no value spells another's digest), as {@code sha256:} and the
     * SHA-256 of that text (its bytes in the server encoding, which both sides share: another
     * encoding is hashed in the JVM), computed here: equal values take one form on both sides.
     * Regression: the text of every changed row was read whole, 200 rows at a time on both sides
     * (30 changed rows of 1 MB text, or one 50 MB bytea, failed a 128 MB heap).
     */
    @Override
    String textExpr(String expr, Column c) {
      String text = wholeText(expr, c);
      if (shape.owner() != null && shape.owner().name().equals(c.name())) {
        return text;
      }
      if (!canonical && c.typeName().equals("bytea")) {
        // NATIVE: a bytea on both sides; its hex text is longer than the bytes and never starts
        // with the mark, so its size and digest are taken from the bytes
        return "CASE WHEN octet_length("
            + expr
            + ") * 2 + 2 > "
            + DigestSource.WHOLE_VALUE_LIMIT
            + " THEN 'sha256:' || encode(sha256("
            + expr
            + "), 'hex') ELSE "
            + text
            + " END";
      }
      return "CASE WHEN octet_length("
          + text
          + ") > "
          + DigestSource.WHOLE_VALUE_LIMIT
          + " OR substr("
          + text
          + ", 1, 7) COLLATE \"C\" = 'sha256:'"
          + " THEN 'sha256:' || encode(sha256(convert_to("
          + text
          + ", getdatabaseencoding())), 'hex') ELSE "
          + text
          + " END";
    }

    /** A column's whole text as the row hash sees it. */
    private String wholeText(String expr, Column c) {
      String text = pathFreeText(expr, c.typeName());
      if (text != null) {
        return text;
      }
      if (!canonical && c.typeName().equals("bpchar")) {
        // as the NATIVE hash sees it: an unpadded bpchar keeps the trailing spaces its cast to
        // text strips ('ab  ' against 'ab' was CHANGED with no column named)
        return "textin(bpcharout(" + expr + "))";
      }
      return "CAST(" + (canonical ? canonicalRef(expr, c.typeName()) : expr) + " AS text)";
    }

    @Override
    String currentTimeSql() {
      return "SELECT CAST(clock_timestamp() AS text)";
    }

    @Override
    protected long hashValue(ResultSet rs, int idx) throws SQLException {
      return rs.getLong(idx);
    }

    @Override
    boolean rowComparison() {
      return true;
    }

    @Override
    String intDiv(String expr, long divisor) {
      return "((" + expr + ") / " + divisor + ")";
    }

    private Boolean inRecovery;

    /**
     * For a logical subscriber: the oid of the enabled subscription this table belongs to (it has a
     * row in pg_subscription_rel); 0 when this endpoint is none.
     */
    private Long subscription;

    /** Whether this session may read the subscription's replication origin (superuser, grant). */
    private boolean originReadable;

    /** The primary's logical slots: only subscriptions using one follow it; null: any. */
    private java.util.Set<String> primarySlots;

    @Override
    public void followOnlySlots(java.util.Set<String> slots) {
      this.primarySlots = slots == null ? null : java.util.Set.copyOf(slots);
      this.subscription = null;
    }

    private boolean inRecovery() {
      if (inRecovery == null) {
        inRecovery =
            inTransaction(
                () -> {
                  try (Statement s = conn.createStatement();
                      ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
                    rs.next();
                    return rs.getBoolean(1);
                  }
                });
      }
      return inRecovery;
    }

    @Override
    public boolean lockWaitedFor(long blocker) {
      if (inRecovery() || blocker < 0) {
        return false; // a standby's replay cancels conflicting reads itself
      }
      // Only a request the pass's session alone holds back: one also waiting on another session
      // (an application's open transaction) would not be freed by stopping the pass, and the
      // chunks read instead would queue behind it until the lock timeout (review 5 of session 22:
      // a CONSISTENT audit failed so). Once the other session lets go, the pass gives way.
      // Contained in, not equal to, the pass's pid: a holder is listed once per process, and a
      // parallel worker as its leader (the documented duplicates).
      return inTransaction(
          () -> {
            try (PreparedStatement ps =
                conn.prepareStatement(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'relation'"
                        + " AND database = (SELECT oid FROM pg_database"
                        + " WHERE datname = current_database())"
                        + " AND relation = CAST(? AS regclass)"
                        + " AND mode = 'AccessExclusiveLock' AND NOT granted"
                        + " AND pg_blocking_pids(pid) <@ ARRAY[CAST(? AS integer)]"
                        + " AND cardinality(pg_blocking_pids(pid)) > 0)")) {
              ps.setString(1, relation());
              ps.setLong(2, blocker);
              try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
              }
            }
          });
    }

    /** This session's backend pid, once. */
    private long backendPid = -1;

    @Override
    public long sessionId() {
      if (backendPid < 0) {
        backendPid =
            inTransaction(
                () -> {
                  try (Statement s = conn.createStatement();
                      ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                    rs.next();
                    return rs.getLong(1);
                  }
                });
      }
      return backendPid;
    }

    /** The table's name for a regclass: without the ONLY an inheritance parent is read with. */
    private String relation() {
      return table.startsWith("ONLY ") ? table.substring(5) : table;
    }

    private long subscription() {
      if (subscription == null) {
        subscription =
            inRecovery()
                ? 0L
                : inTransaction(
                    () -> {
                      try (PreparedStatement ps =
                          conn.prepareStatement(
                              "SELECT s.oid, has_function_privilege("
                                  + "'pg_replication_origin_progress(text, boolean)', 'EXECUTE')"
                                  + " FROM pg_subscription s"
                                  + " JOIN pg_subscription_rel r ON r.srsubid = s.oid"
                                  + " WHERE s.subenabled AND r.srrelid = CAST(? AS regclass)"
                                  + " AND s.subdbid = (SELECT oid FROM pg_database"
                                  + " WHERE datname = current_database())"
                                  + (primarySlots == null
                                      ? ""
                                      : " AND s.subslotname = ANY (CAST(? AS text[]))")
                                  + " ORDER BY s.oid LIMIT 1")) {
                        ps.setString(1, relation());
                        if (primarySlots != null) {
                          // Regression (review of session 19): a table a subscription to another
                          // server brings was waited for against the primary's WAL positions
                          // (another server's): LAGGING, and its real differences in flight.
                          ps.setArray(2, conn.createArrayOf("text", primarySlots.toArray()));
                        }
                        try (ResultSet rs = ps.executeQuery()) {
                          if (!rs.next()) {
                            return 0L;
                          }
                          originReadable = rs.getBoolean(2);
                          return rs.getLong(1);
                        }
                      }
                    });
      }
      return subscription;
    }

    /**
     * A physical standby (in recovery), or a logical subscriber whose enabled subscription covers
     * this table.
     */
    @Override
    public boolean followsReplication() {
      return inRecovery() || subscription() != 0;
    }

    @Override
    public String replicationPosition() {
      boolean standby = inRecovery();
      return inTransaction(
          () -> {
            if (standby) {
              // a standby as the primary (a cascade's middle): what it has replayed, which its
              // copies (cascaded standbys, siblings on the same timeline) wait for
              try (Statement s = conn.createStatement();
                  ResultSet rs = s.executeQuery("SELECT CAST(pg_last_wal_replay_lsn() AS text)")) {
                rs.next();
                return rs.getString(1);
              }
            }
            // The insert position, not the write position: with asynchronous commit a commit
            // is visible before its WAL is written, and the standby must wait for it too
            // (regression: rows updated just before a chunk's re-check were reported CHANGED
            // when the write position was used and the WAL writer had not run yet).
            try (Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery("SELECT CAST(pg_current_wal_insert_lsn() AS text)")) {
              rs.next();
              return rs.getString(1);
            }
          });
    }

    /**
     * Polls the standby's replay position, or the subscriber's applied position of the primary's
     * WAL: cheap, and needs no privilege.
     */
    /** The highest WAL position this copy was seen to have applied (it never goes back). */
    private long reached = -1;

    @Override
    public boolean awaitPosition(String position, Duration timeout) {
      if (position == null || !followsReplication()) {
        return true;
      }
      long wanted = lsn(position);
      if (wanted >= 0 && wanted <= reached) {
        // Applied already (an idle primary's position is the same for every chunk): no query.
        return true;
      }
      String sql =
          inRecovery()
              ? "SELECT COALESCE(pg_last_wal_replay_lsn() >= CAST(? AS pg_lsn), false)"
              : "SELECT COALESCE("
                  + appliedLsnSql(originReadable, "w.subid")
                  + " >= CAST(? AS pg_lsn), false) FROM pg_stat_subscription w"
                  + " WHERE w.subid = "
                  + subscription()
                  + " AND w.relid IS NULL";
      long t0 = System.nanoTime();
      long deadline = t0 + timeout.toNanos();
      long sleepMillis = 1;
      while (true) {
        boolean applied =
            inTransaction(
                () -> {
                  try (PreparedStatement ps = conn.prepareStatement(sql)) {
                    ps.setString(1, position);
                    try (ResultSet rs = ps.executeQuery()) {
                      return rs.next() && rs.getBoolean(1);
                    }
                  }
                });
        if (applied) {
          trace("await " + position, null, t0);
          reached = Math.max(reached, wanted);
          return true;
        }
        if (System.nanoTime() > deadline) {
          trace("await timed out " + position, null, t0);
          return false;
        }
        sleep(sleepMillis);
        sleepMillis = Math.min(20, sleepMillis * 2);
      }
    }

    @Override
    public long estimatedRows() {
      return inTransaction(
          () -> {
            try (PreparedStatement ps =
                conn.prepareStatement(
                    "SELECT CAST(reltuples AS bigint) FROM pg_class WHERE oid = CAST(? AS regclass)")) {
              ps.setString(1, relation());
              try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1L;
              }
            }
          });
    }
  }
}
