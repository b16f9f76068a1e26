package io.integrityauditor.dialect;

import io.integrityauditor.engine.BucketDigest;
import io.integrityauditor.engine.Buckets;
import io.integrityauditor.engine.Column;
import io.integrityauditor.engine.Digest;
import io.integrityauditor.engine.DigestSource;
import io.integrityauditor.engine.Key;
import io.integrityauditor.engine.KeyRange;
import io.integrityauditor.engine.OnePassPlan;
import io.integrityauditor.engine.PositionalDigest;
import io.integrityauditor.engine.RowHash;
import io.integrityauditor.engine.TableShape;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The SQL shared by the in-database dialects: range predicates over (composite) keys, the
 * positional bucket digest, the boundary bucket digest, leaf reads. Subclasses supply the hash
 * expression and how key values are read and bound.
 */
abstract class JdbcDigestSource implements DigestSource {
  protected Connection conn;
  private java.util.function.Supplier<Connection> reopen;
  protected final TableShape shape;
  protected final Dialect dialect;
  protected final String table;
  protected final int timeoutSeconds;
  private long bytes;

  /** Adjusts a session this source will use (also one opened again after it was lost). */
  protected void sessionOpened(Connection c) {}

  JdbcDigestSource(Dialect dialect, Connection conn, TableShape shape, Duration timeout) {
    this.dialect = dialect;
    this.conn = conn;
    this.shape = shape;
    String quoted =
        (shape.schema() == null ? "" : dialect.quote(shape.schema()) + ".")
            + dialect.quote(shape.name());
    try {
      this.table = dialect.fromReference(conn, quoted);
    } catch (SQLException e) {
      throw new DatabaseException(e);
    }
    this.timeoutSeconds = (int) Math.max(1, timeout.toSeconds());
  }

  // ---- hooks -------------------------------------------------------------------------------

  /** SQL expression: the row's 64-bit hash. */
  abstract String hashExpr();

  /** SQL expression reading a key column (given as an expression) in the form readKey expects. */
  abstract String keyReadExpr(String expr, Column c);

  abstract Object readKey(ResultSet rs, int idx, Column c) throws SQLException;

  /** The placeholder for a key value of this column ("?" or a cast of it). */
  abstract String placeholder(Column c);

  abstract void bind(PreparedStatement ps, int idx, Object value, Column c) throws SQLException;

  /** SQL expression: a column's canonical text, NULL for NULL. */
  abstract String textExpr(String expr, Column c);

  /** Whether the engine compares and indexes row values: (a, b) > (?, ?). */
  abstract boolean rowComparison();

  abstract String intDiv(String expr, long divisor);

  // ---- shared SQL ----------------------------------------------------------------------------

  protected String q(String ident) {
    return dialect.quote(ident);
  }

  protected List<String> keyExprs() {
    List<String> out = new ArrayList<>();
    for (Column c : shape.key()) {
      out.add(q(c.name()));
    }
    return out;
  }

  protected static List<String> aliases(String prefix, int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(prefix + i);
    }
    return out;
  }

  /** Appends "exprs op key" for a (composite) key. op is one of < <= > >=. */
  protected void compare(Sql sql, List<String> exprs, String op, Key key) {
    int nul = textCannotHoldNul() ? firstWithNul(key) : -1;
    if (nul >= 0) {
      // A bound read from a copy whose text may hold U+0000 (MariaDB), here where no text can
      // (PostgreSQL: "invalid byte sequence for encoding UTF8: 0x00" failed the table). In code
      // point order no text without U+0000 lies between prefix + U+0000... and prefix + U+0001, so
      // below the bound is below prefix + U+0001 and above it at or above that, whatever follows.
      String s = (String) key.get(nul);
      List<Object> t = new ArrayList<>(key.values().subList(0, nul));
      t.add(s.substring(0, s.indexOf('\0')) + '\u0001');
      compare(sql, exprs.subList(0, nul + 1), op.startsWith("<") ? "<" : ">=", new Key(t));
      return;
    }
    List<Column> cols = shape.key();
    if (exprs.size() == 1) {
      sql.append(exprs.get(0)).append(" ").append(op).append(" ");
      sql.param(placeholder(cols.get(0)), key.get(0), cols.get(0));
      return;
    }
    if (rowComparison()) {
      sql.append("(").append(String.join(", ", exprs)).append(") ").append(op).append(" (");
      for (int i = 0; i < exprs.size(); i++) {
        if (i > 0) {
          sql.append(", ");
        }
        sql.param(placeholder(cols.get(i)), key.get(i), cols.get(i));
      }
      sql.append(")");
      return;
    }
    expanded(sql, exprs, op, key, 0);
  }

  private void expanded(Sql sql, List<String> exprs, String op, Key key, int i) {
    Column c = shape.key().get(i);
    if (i == exprs.size() - 1) {
      sql.append(exprs.get(i)).append(" ").append(op).append(" ");
      sql.param(placeholder(c), key.get(i), c);
      return;
    }
    String strict = op.substring(0, 1);
    sql.append("(").append(exprs.get(i)).append(" ").append(strict).append(" ");
    sql.param(placeholder(c), key.get(i), c);
    sql.append(" OR (").append(exprs.get(i)).append(" = ");
    sql.param(placeholder(c), key.get(i), c);
    sql.append(" AND ");
    expanded(sql, exprs, op, key, i + 1);
    sql.append("))");
  }

  /** "SELECT key columns FROM table WHERE ": the caller appends the condition. */
  private Sql keySelect(List<String> keys) {
    Sql sql = new Sql();
    sql.append("SELECT ");
    for (int i = 0; i < keys.size(); i++) {
      sql.append(i > 0 ? ", " : "").append(keyReadExpr(keys.get(i), shape.key().get(i)));
    }
    sql.append(" FROM ").append(table).append(" WHERE ");
    return sql;
  }

  /** For a one-user audit: "owner = ? AND ". */
  protected void ownerFilter(Sql sql) {
    if (shape.ownerFilter() != null && shape.owner() != null) {
      Object value =
          io.integrityauditor.engine.Values.ownerValue(shape.ownerFilter(), shape.owner());
      if (value instanceof String text && !representable(text, textHolds(shape.owner()))) {
        // No row here can belong to that user: its name has characters the column cannot hold.
        // Regression (review 6 of session 21): converted into the column's character set, the
        // user 'userЖ1' became 'user?1' and that other user's rows were audited (MariaDB latin1),
        // or the statement failed ("has no equivalent in encoding LATIN1", PostgreSQL).
        sql.append("1 = 0 AND ");
        return;
      }
      sql.append(q(shape.owner().name())).append(" = ");
      sql.param(placeholder(shape.owner()), value, shape.owner());
      String bytes = ownerBytesPlaceholder(shape.owner());
      if (bytes != null) {
        // The column's collation may call other values equal ('ALICE', 'alice ' under MariaDB's
        // default collations): the first condition can use an index, this one is exact.
        sql.append(" AND CAST(").append(q(shape.owner().name())).append(" AS BINARY) = CAST(");
        sql.param(bytes, value, shape.owner());
        sql.append(" AS BINARY)");
      }
      sql.append(" AND ");
    }
  }

  /**
   * For an owner column whose equality is not byte equality (MariaDB text under its collation): the
   * user's value as the column's bytes would hold it, one {@code ?}; null where {@code =} is exact.
   */
  String ownerBytesPlaceholder(Column owner) {
    return null;
  }

  /**
   * What text the column {@code c} can hold here, when it cannot hold every character: the
   * PostgreSQL server's encoding (LATIN1, WIN1252, ...), a MariaDB column's character set; null
   * when it can (UTF-8, SQL_ASCII) or is not known.
   */
  protected java.util.function.Predicate<String> textHolds(Column c) {
    if (dialect instanceof PostgresDialect && conn != null) {
      if (pgHolds == null) {
        String encoding = null;
        try {
          encoding =
              conn.unwrap(org.postgresql.PGConnection.class).getParameterStatus("server_encoding");
        } catch (SQLException | RuntimeException e) {
          // unknown: every text is taken as representable, as before
        }
        pgHolds = java.util.Optional.ofNullable(holds(PostgresDialect.javaCharset(encoding)));
      }
      return pgHolds.orElse(null);
    }
    return null;
  }

  private java.util.Optional<java.util.function.Predicate<String>> pgHolds;

  /** The text a Java character set can encode, or null for a null or unsupported name. */
  static java.util.function.Predicate<String> holds(String javaCharset) {
    if (javaCharset == null) {
      return null;
    }
    try {
      java.nio.charset.Charset cs = java.nio.charset.Charset.forName(javaCharset);
      return s -> cs.newEncoder().canEncode(s);
    } catch (IllegalArgumentException unsupported) {
      return null;
    }
  }

  /** Whether this text can be held (always when {@code holds} is null). */
  static boolean representable(String text, java.util.function.Predicate<String> holds) {
    return holds == null || holds.test(text);
  }

  /**
   * Whether every text value of the key can be held by its column here: asked of PostgreSQL only,
   * whose conversion of a parameter fails; MariaDB's key values are read and bound back in forms of
   * their own where the column's character set is lossy (an ascii column holding X'E9' is the key
   * 'Aé', MySqlDialect#keyRead), which a Java character set would call unrepresentable.
   */
  private boolean representable(Key k) {
    if (!(dialect instanceof PostgresDialect)) {
      return true;
    }
    for (int i = 0; i < k.size(); i++) {
      if (k.get(i) instanceof String s && !representable(s, textHolds(shape.key().get(i)))) {
        return false;
      }
    }
    return true;
  }

  /** Whether this database's text can hold no U+0000 (PostgreSQL). */
  protected boolean textCannotHoldNul() {
    return dialect instanceof PostgresDialect;
  }

  /** The first key column whose value is text holding U+0000, or -1. */
  protected static int firstWithNul(Key key) {
    for (int i = 0; i < key.size(); i++) {
      if (key.get(i) instanceof String s && s.indexOf('\0') >= 0) {
        return i;
      }
    }
    return -1;
  }

  protected void rangePredicate(Sql sql, List<String> exprs, KeyRange range) {
    boolean any = false;
    ownerFilter(sql);
    if (range.lower() != null) {
      sql.append("(");
      compare(sql, exprs, range.lowerInclusive() ? ">=" : ">", range.lower());
      sql.append(")");
      any = true;
    }
    if (range.upper() != null) {
      if (any) {
        sql.append(" AND ");
      }
      sql.append("(");
      compare(sql, exprs, range.upperInclusive() ? "<=" : "<", range.upper());
      sql.append(")");
      any = true;
    }
    if (!any) {
      sql.append("1 = 1");
    }
  }

  /** A CASE expression giving the bucket number, as a binary search over the bucket starts. */
  protected void bucketCase(Sql sql, List<String> exprs, List<Key> starts, int lo, int hi) {
    if (hi - lo == 1) {
      sql.append(Integer.toString(lo));
      return;
    }
    int mid = (lo + hi) >>> 1;
    sql.append("CASE WHEN ");
    compare(sql, exprs, "<", starts.get(mid - 1));
    sql.append(" THEN ");
    bucketCase(sql, exprs, starts, lo, mid);
    sql.append(" ELSE ");
    bucketCase(sql, exprs, starts, mid, hi);
    sql.append(" END");
  }

  private static final boolean TRACE = System.getenv("IA_TRACE") != null;

  protected void trace(String op, KeyRange range, long t0) {
    if (TRACE) {
      System.err.printf(
          "trace %.3f s %s %s %s %.1f ms%n",
          java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3,
          Thread.currentThread().getName(),
          op,
          range,
          (System.nanoTime() - t0) / 1e6);
    }
  }

  protected PreparedStatement prepare(Sql sql) throws SQLException {
    PreparedStatement ps = conn.prepareStatement(sql.toString());
    ps.setQueryTimeout(timeoutSeconds);
    int i = 1;
    for (Sql.Param p : sql.params) {
      bind(ps, i++, p.value(), p.column());
    }
    return ps;
  }

  protected Key readKeyAt(ResultSet rs, int first) throws SQLException {
    List<Object> values = new ArrayList<>(shape.key().size());
    for (int i = 0; i < shape.key().size(); i++) {
      Column c = shape.key().get(i);
      Object raw = readKey(rs, first + i, c);
      count(raw);
      // one text for a value whichever source and flavour read it (at-risk rows, the report)
      Object v = io.integrityauditor.engine.Values.keyAsRead(raw, c);
      values.add(v);
    }
    return new Key(values);
  }

  /** Counts a value of {@code n} bytes read (a binary value hashed as hex: its hex's length). */
  protected void countBytes(long n) {
    bytes += n;
  }

  protected void count(Object v) {
    if (v == null) {
      bytes += 1;
    } else if (v instanceof String s) {
      bytes += s.length();
    } else if (v instanceof byte[] b) {
      bytes += b.length;
    } else if (v instanceof BigDecimal || v instanceof BigInteger) {
      bytes += v.toString().length();
    } else {
      bytes += 8;
    }
  }

  protected static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public long bytesReceived() {
    return bytes;
  }

  /** Attempts of one query cancelled by a conflict with recovery before the audit gives up. */
  static final int CONFLICT_ATTEMPTS = 10;

  private long conflictRetries;

  /** Queries on this session that a hot standby cancelled and that were run again. */
  public long conflictRetries() {
    return conflictRetries;
  }

  /**
   * Runs work in a short read-only transaction, ended before returning. A query that a hot standby
   * cancels because of a conflict with recovery (SQLSTATE 40001: replay needed a lock or a row
   * version it held) is run again after a short pause, a few times: such cancellations come from
   * replication, not from the data. Work must therefore be repeatable (it is: every query here
   * returns its result, or buffers rows before handing them on).
   */
  protected <T> T inTransaction(SqlWork<T> work) {
    return inTransaction(work, CONFLICT_ATTEMPTS);
  }

  /** As {@link #inTransaction(SqlWork)}, giving up after {@code attempts} conflicts. */
  protected <T> T inTransaction(SqlWork<T> work, int attempts) {
    long pause = 20;
    for (int attempt = 1; ; attempt++) {
      try {
        try {
          T t = work.run();
          endTransaction(false);
          return t;
        } catch (SQLException | RuntimeException e) {
          endTransaction(true);
          throw e;
        }
      } catch (SQLException e) {
        if (!"40001".equals(e.getSQLState())) {
          throw new DatabaseException(e);
        }
        if (attempt >= attempts) {
          // Not run again here, but the caller goes on with this source (a one-pass statement
          // falls back to chunks): a session the conflict terminated is replaced first, or every
          // later query failed with "This connection has been closed" (RecoveryConflictTest).
          if (reopen != null && isClosed()) {
            try {
              replaceSession();
            } catch (RuntimeException unreachable) {
              e.addSuppressed(unreachable);
            }
          }
          throw new DatabaseException(e);
        }
        conflictRetries++;
        sleep(pause);
        pause = Math.min(1000, pause * 2);
        // A session that was idle in a transaction when the conflict came is terminated, not
        // cancelled: open a new one.
        if (isClosed()) {
          if (reopen == null) {
            throw new DatabaseException(e);
          }
          replaceSession();
        }
      }
    }
  }

  /** A new session from {@link #reconnectWith}'s opener in place of a terminated one. */
  private void replaceSession() {
    conn = reopen.get();
    sessionOpened(conn);
  }

  private void endTransaction(boolean failed) {
    try {
      if (!conn.getAutoCommit()) {
        if (failed) {
          conn.rollback();
        } else {
          conn.commit();
        }
      }
    } catch (SQLException ignored) {
      // the connection is broken; the next call reports it
    }
  }

  interface SqlWork<T> {
    T run() throws SQLException;
  }

  @Override
  public PositionalDigest positionalDigest(KeyRange range, long limit, int bucketRows) {
    int nk = shape.key().size();
    List<String> keys = keyExprs();
    List<String> inner = aliases("ia_k", nk);
    Sql sql = new Sql();
    sql.append("SELECT ia_b, COUNT(*), SUM(ia_h)");
    for (int i = 0; i < nk; i++) {
      sql.append(", MAX(ia_f" + i + ")");
    }
    if (limit > 0) {
      for (int i = 0; i < nk; i++) {
        sql.append(", MAX(ia_l" + i + ")");
      }
    }
    sql.append(" FROM (SELECT ").append(intDiv("ia_rn - 1", bucketRows)).append(" AS ia_b, ia_h");
    for (int i = 0; i < nk; i++) {
      Column c = shape.key().get(i);
      sql.append(", CASE WHEN MOD(ia_rn - 1, " + bucketRows + ") = 0 THEN ")
          .append(keyReadExpr(inner.get(i), c))
          .append(" END AS ia_f" + i);
    }
    if (limit > 0) {
      for (int i = 0; i < nk; i++) {
        Column c = shape.key().get(i);
        sql.append(", CASE WHEN ia_rn = " + limit + " THEN ")
            .append(keyReadExpr(inner.get(i), c))
            .append(" END AS ia_l" + i);
      }
    }
    sql.append(" FROM (SELECT ").append(String.join(", ", inner)).append(", ia_h, ");
    sql.append("ROW_NUMBER() OVER (ORDER BY ")
        .append(String.join(", ", inner))
        .append(") AS ia_rn");
    sql.append(" FROM (SELECT ");
    for (int i = 0; i < nk; i++) {
      sql.append(keys.get(i)).append(" AS ").append(inner.get(i)).append(", ");
    }
    sql.append(hashExpr()).append(" AS ia_h FROM ").append(table).append(" WHERE ");
    rangePredicate(sql, keys, range);
    sql.append(" ORDER BY ").append(String.join(", ", keys));
    if (limit > 0) {
      sql.append(" LIMIT " + limit);
    }
    sql.append(") ia_c) ia_x) ia_y GROUP BY ia_b ORDER BY ia_b");
    long t0 = System.nanoTime();
    try {
      return positional(sql, limit, nk);
    } finally {
      trace("positional(" + limit + "," + bucketRows + ")", range, t0);
    }
  }

  private PositionalDigest positional(Sql sql, long limit, int nk) {
    return inTransaction(
        () -> {
          List<BucketDigest> buckets = new ArrayList<>();
          Key last = null;
          try (PreparedStatement ps = prepare(sql);
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              long n = rs.getLong(2);
              BigDecimal s = rs.getBigDecimal(3);
              Key first = readKeyAt(rs, 4);
              bytes += 24;
              buckets.add(
                  new BucketDigest(first, new Digest(n, s == null ? null : s.toBigInteger())));
              if (limit > 0 && rs.getObject(4 + nk) != null) {
                last = readKeyAt(rs, 4 + nk);
              }
            }
          }
          return new PositionalDigest(buckets, last);
        });
  }

  /**
   * The weight of the {@link Digest.Decode} sums that digests of bounded integer key ranges carry,
   * or null for none. Weighing rows by their hash needs the row hash three times per row, so only
   * where the database computes it once for all three (a subquery the planner keeps: PostgreSQL's
   * {@code OFFSET 0}); elsewhere weight 1 (row count and key sum) still names missing and extra
   * rows.
   */
  protected Digest.Weight decodes() {
    return null;
  }

  /** The decode base of a range (its lower bound) when its sums cannot overflow, else null. */
  private Long decodeBase(KeyRange range) {
    if (decodes() == null
        || shape.key().size() != 1
        || range.lower() == null
        || range.upper() == null
        || !(range.lower().get(0) instanceof Long lo)
        || !(range.upper().get(0) instanceof Long hi)) {
      return null;
    }
    // a < 2^32 times (key - base) < 2^31 stays below 2^63: a bigint product in SQL.
    return hi >= lo && hi - lo >= 0 && hi - lo < (1L << 31) ? lo : null;
  }

  private Digest decodableDigest(KeyRange range, long base) {
    List<String> keys = keyExprs();
    Column keyColumn = shape.key().get(0);
    Digest.Weight weight = decodes();
    Sql sql = new Sql();
    if (weight == Digest.Weight.HASH_LOW32) {
      // No SUM(ia_h & 4294967295): one differing row's share of it follows from the hash sums
      // (Digest#decodeKey); one aggregate less per row (PostgreSQL, 5M rows: -0.1 s).
      sql.append("SELECT COUNT(*), SUM(ia_h), NULL,");
      sql.append(" SUM((ia_h & 4294967295) * ia_o) FROM (SELECT ").append(hashExpr());
      sql.append(" AS ia_h, CAST(").append(keys.get(0)).append(" AS bigint) - ");
      sql.param(placeholder(keyColumn), base, keyColumn);
      sql.append(" AS ia_o FROM ").append(table).append(" WHERE ");
      rangePredicate(sql, keys, range);
      sql.append(" OFFSET 0) ia_d");
    } else {
      sql.append("SELECT COUNT(*), SUM(").append(hashExpr()).append("), COUNT(*), SUM(");
      sql.append(keys.get(0)).append(" - ").param(placeholder(keyColumn), base, keyColumn);
      sql.append(") FROM ").append(table).append(" WHERE ");
      rangePredicate(sql, keys, range);
    }
    long t0 = System.nanoTime();
    try {
      return inTransaction(
          () -> {
            try (PreparedStatement ps = prepare(sql);
                ResultSet rs = ps.executeQuery()) {
              rs.next();
              bytes += 40;
              return new Digest(
                  rs.getLong(1),
                  big(rs.getBigDecimal(2)),
                  new Digest.Decode(
                      base,
                      weight == Digest.Weight.HASH_LOW32 ? null : big(rs.getBigDecimal(3)),
                      big(rs.getBigDecimal(4)),
                      weight));
            }
          });
    } finally {
      trace("digest", range, t0);
    }
  }

  /**
   * Whether {@link #onePassDigests} may run here: a database whose one statement over the whole
   * table is cheaper per row than its key-range chunks (PostgreSQL: a sequential scan with one hash
   * aggregate, against an index scan per chunk).
   */
  protected boolean onePass() {
    return false;
  }

  /** Rows per second of statement timeout a one-pass statement is allowed: a slow server's pace. */
  static final long ONE_PASS_ROWS_PER_TIMEOUT_SECOND = 100_000;

  @Override
  public long onePassMaxSpan() {
    return timeoutSeconds * ONE_PASS_ROWS_PER_TIMEOUT_SECOND;
  }

  @Override
  public boolean digestsInOnePass() {
    return onePass() && decodes() != null && shape.key().size() == 1 && shape.ownerFilter() == null;
  }

  @Override
  public List<Digest> onePassDigests(OnePassPlan plan) {
    Digest.Weight weight = decodes();
    if (!digestsInOnePass() || plan.span() > onePassMaxSpan()) {
      return null;
    }
    // Part b (1 to parts) holds the keys with (key - origin) / width = b, origin = base - width,
    // and its decode offset is key - (its exclusive lower bound) = MOD(key - origin, width) + 1, as
    // digest(range) computes it. Rows below the parts fall in parts <= 0 (integer division rounds
    // towards zero), rows above in parts > parts: both are summed here without decode sums. No
    // CASE per row (that cost 5% of the scan); a key so far from the primary's that key - origin
    // overflows fails the statement, and the comparison goes on in chunks.
    boolean decode = plan.width() < (1L << 31);
    String k = "CAST(" + keyExprs().get(0) + " AS bigint)";
    String x = k + " - (" + plan.origin() + ")";
    Sql sql = new Sql();
    sql.append("SELECT ia_b, COUNT(*), SUM(ia_h), ");
    sql.append(weight == Digest.Weight.HASH_LOW32 ? "NULL" : "COUNT(*)");
    sql.append(
        weight == Digest.Weight.HASH_LOW32 ? ", SUM((ia_h & 4294967295) * ia_o)" : ", SUM(ia_o)");
    sql.append(" FROM (SELECT " + intDiv(x, plan.width()) + " AS ia_b, ");
    sql.append("MOD(" + x + ", (" + plan.width() + ")) + 1 AS ia_o, ");
    sql.append(hashExpr()).append(" AS ia_h FROM ").append(table).append(" WHERE ");
    rangePredicate(sql, keyExprs(), KeyRange.ALL);
    sql.append(" OFFSET 0) ia_d GROUP BY ia_b");
    long t0 = System.nanoTime();
    try {
      return inTransaction(
          () -> {
            List<Digest> out = new ArrayList<>(plan.count());
            for (int i = 0; i < plan.count(); i++) {
              out.add(
                  i == 0 || i == plan.parts() + 1 || !decode
                      ? Digest.EMPTY
                      : new Digest(
                          0,
                          null,
                          new Digest.Decode(
                              plan.lowerOf(i),
                              weight == Digest.Weight.HASH_LOW32 ? null : BigInteger.ZERO,
                              null,
                              weight)));
            }
            try (PreparedStatement ps = prepare(sql)) {
              running = ps;
              try (ResultSet rs = ps.executeQuery()) {
                readOnePass(rs, plan, weight, decode, out);
              } finally {
                running = null;
              }
            }
            return out;
          },
          // A hot standby that cancels the whole-table statement would likely cancel it again:
          // the comparison goes on in short chunk queries instead (TableComparator).
          1);
    } finally {
      trace("one pass of " + plan.count() + " ranges", KeyRange.ALL, t0);
    }
  }

  /** The one-pass statement running on this session, while it runs. */
  private volatile PreparedStatement running;

  @Override
  public void cancelOnePass() {
    PreparedStatement ps = running;
    if (ps != null) {
      try {
        ps.cancel();
      } catch (SQLException e) {
        // it ends on its own, at the latest at the statement timeout
      }
    }
  }

  private void readOnePass(
      ResultSet rs, OnePassPlan plan, Digest.Weight weight, boolean decode, List<Digest> out)
      throws SQLException {
    while (rs.next()) {
      long b = rs.getLong(1);
      long n = rs.getLong(2);
      java.math.BigInteger sum = big(rs.getBigDecimal(3));
      bytes += 40;
      if (b <= 0 || b > plan.parts()) {
        int i = b <= 0 ? 0 : plan.parts() + 1;
        out.set(i, out.get(i).plus(new Digest(n, sum)));
        continue;
      }
      out.set(
          (int) b,
          !decode
              ? new Digest(n, sum)
              : new Digest(
                  n,
                  sum,
                  new Digest.Decode(
                      plan.lowerOf((int) b),
                      weight == Digest.Weight.HASH_LOW32 ? null : big(rs.getBigDecimal(4)),
                      big(rs.getBigDecimal(5)),
                      weight)));
    }
  }

  private static java.math.BigInteger big(BigDecimal d) {
    return d == null ? null : d.toBigInteger();
  }

  @Override
  public Digest digest(KeyRange range) {
    Long base = decodeBase(range);
    if (base != null) {
      return decodableDigest(range, base);
    }
    List<String> keys = keyExprs();
    Sql sql = new Sql();
    sql.append("SELECT 0, COUNT(*), SUM(").append(hashExpr()).append(") FROM ").append(table);
    sql.append(" WHERE ");
    rangePredicate(sql, keys, range);
    long t0 = System.nanoTime();
    try {
      return bucketQuery(sql, 1).get(0);
    } finally {
      trace("digest", range, t0);
    }
  }

  @Override
  public Key keyAt(KeyRange range, long offset) {
    List<String> keys = keyExprs();
    Sql sql = keySelect(keys);
    rangePredicate(sql, keys, range);
    sql.append(" ORDER BY ").append(String.join(", ", keys));
    sql.append(" LIMIT 1 OFFSET " + offset);
    long t0 = System.nanoTime();
    try {
      return singleKey(sql);
    } finally {
      trace("keyAt(" + offset + ")", range, t0);
    }
  }

  @Override
  public List<Digest> bucketDigest(KeyRange range, Buckets buckets) {
    if (buckets.count() == 1) {
      return List.of(digest(range));
    }
    int nk = shape.key().size();
    List<String> inner = aliases("ia_k", nk);
    List<String> keys = keyExprs();
    Sql sql = new Sql();
    sql.append("SELECT ");
    bucketExpr(sql, inner, buckets);
    sql.append(" AS ia_b, COUNT(*), SUM(ia_h) FROM (SELECT ");
    for (int i = 0; i < nk; i++) {
      sql.append(keys.get(i)).append(" AS ").append(inner.get(i)).append(", ");
    }
    sql.append(hashExpr()).append(" AS ia_h FROM ").append(table).append(" WHERE ");
    rangePredicate(sql, keys, range);
    sql.append(") ia_c GROUP BY 1");
    long t0 = System.nanoTime();
    try {
      return bucketQuery(sql, buckets.count());
    } finally {
      trace("buckets(" + buckets.count() + ")", range, t0);
    }
  }

  /** The SQL expression numbering the bucket of the row whose key columns are {@code exprs}. */
  protected void bucketExpr(Sql sql, List<String> exprs, Buckets buckets) {
    if (!(buckets instanceof Buckets.Starts)) {
      throw new IllegalArgumentException("arithmetic buckets are digested part by part");
    }
    List<Key> starts = ((Buckets.Starts) buckets).starts();
    bucketCase(sql, exprs, starts, 0, starts.size() + 1);
  }

  private List<Digest> bucketQuery(Sql sql, int count) {
    return inTransaction(
        () -> {
          List<Digest> out = new ArrayList<>(count);
          for (int i = 0; i < count; i++) {
            out.add(Digest.EMPTY);
          }
          try (PreparedStatement ps = prepare(sql);
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              int b = rs.getInt(1);
              BigDecimal s = rs.getBigDecimal(3);
              bytes += 24;
              out.set(b, new Digest(rs.getLong(2), s == null ? null : s.toBigInteger()));
            }
          }
          return out;
        });
  }

  @Override
  public Key firstKey(KeyRange range) {
    List<String> keys = keyExprs();
    Sql sql = keySelect(keys);
    rangePredicate(sql, keys, range);
    sql.append(" ORDER BY ").append(String.join(", ", keys)).append(" LIMIT 1");
    return singleKey(sql);
  }

  @Override
  public Key lastKey() {
    List<String> keys = keyExprs();
    Sql sql = keySelect(keys);
    rangePredicate(sql, keys, KeyRange.ALL);
    sql.append(" ORDER BY ");
    for (int i = 0; i < keys.size(); i++) {
      sql.append(i > 0 ? ", " : "").append(keys.get(i)).append(" DESC");
    }
    sql.append(" LIMIT 1");
    return singleKey(sql);
  }

  private Key singleKey(Sql sql) {
    return inTransaction(
        () -> {
          try (PreparedStatement ps = prepare(sql);
              ResultSet rs = ps.executeQuery()) {
            return rs.next() ? readKeyAt(rs, 1) : null;
          }
        });
  }

  @Override
  public void rowHashes(KeyRange range, Consumer<RowHash> sink) {
    List<String> keys = keyExprs();
    Sql sql = rowHashSelect(keys);
    rangePredicate(sql, keys, range);
    long t0 = System.nanoTime();
    streamRowHashes(sql, sink);
    trace("rows", range, t0);
  }

  /**
   * The bucket (0 to n - 1) of a row's key by a hash of the key columns' text, identical on every
   * database of this dialect whatever the key's collation; null when the dialect has none.
   */
  String keyBucketExpr(List<String> keys, int n) {
    return null;
  }

  @Override
  public boolean hasKeyBuckets() {
    return keyBucketExpr(keyExprs(), 16) != null;
  }

  @Override
  public Map<Integer, Digest> keyBucketDigests(int n, KeyRange range) {
    List<String> keys = keyExprs();
    String bucket = keyBucketExpr(keys, n);
    if (bucket == null) {
      return null;
    }
    Sql sql = new Sql();
    sql.append("SELECT ").append(bucket).append(", COUNT(*), SUM(").append(hashExpr());
    sql.append(") FROM ").append(table).append(" WHERE ");
    rangePredicate(sql, keys, range);
    sql.append(" GROUP BY 1");
    long t0 = System.nanoTime();
    try {
      return inTransaction(
          () -> {
            Map<Integer, Digest> out = new java.util.HashMap<>();
            try (PreparedStatement ps = prepare(sql);
                ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                bytes += 24;
                out.put(rs.getInt(1), new Digest(rs.getLong(2), big(rs.getBigDecimal(3))));
              }
            }
            return out;
          });
    } finally {
      trace("key buckets " + n, range, t0);
    }
  }

  @Override
  public void rowHashesInBuckets(
      int n, Collection<Integer> buckets, KeyRange range, Consumer<RowHash> sink) {
    if (buckets.isEmpty()) {
      return;
    }
    List<String> keys = keyExprs();
    String bucket = keyBucketExpr(keys, n);
    if (bucket == null) {
      throw new UnsupportedOperationException("no key buckets");
    }
    Sql sql = rowHashSelect(keys);
    rangePredicate(sql, keys, range);
    sql.append(" AND ").append(bucket).append(" IN (");
    sql.append(String.join(", ", buckets.stream().map(String::valueOf).toList())).append(")");
    long t0 = System.nanoTime();
    streamRowHashes(sql, sink);
    trace("rows in " + buckets.size() + " key buckets", range, t0);
  }

  /** SELECT key columns, row hash, owner text FROM table WHERE (the caller appends the rest). */
  private Sql rowHashSelect(List<String> keys) {
    Sql sql = new Sql();
    sql.append("SELECT ");
    for (int i = 0; i < keys.size(); i++) {
      sql.append(keyReadExpr(keys.get(i), shape.key().get(i))).append(", ");
    }
    sql.append(hashExpr());
    sql.append(", ")
        .append(shape.owner() == null ? "NULL" : textExpr(q(shape.owner().name()), shape.owner()));
    sql.append(" FROM ").append(table).append(" WHERE ");
    return sql;
  }

  /** Reads (key, row hash, owner) rows, the hash computed in SQL; see {@link #bufferedRows}. */
  private void streamRowHashes(Sql sql, Consumer<RowHash> sink) {
    int nk = shape.key().size();
    bufferedRows(
        sql,
        rs -> {
          Key k = readKeyAt(rs, 1);
          long h = hashValue(rs, nk + 1);
          String owner =
              io.integrityauditor.engine.Values.ownerText(rs.getString(nk + 2), shape.owner());
          count(owner);
          bytes += 8;
          return new RowHash(k, h, owner);
        },
        sink);
  }

  /** One result row as a (key, row hash, owner) row. */
  protected interface RowReader {
    RowHash read(ResultSet rs) throws SQLException;
  }

  /**
   * Runs {@code sql} and hands its rows on, buffered until the query has ended (leaf ranges and
   * pages are bounded), so a query cancelled half-way and run again hands no row on twice.
   */
  protected void bufferedRows(Sql sql, RowReader reader, Consumer<RowHash> sink) {
    List<RowHash> rows =
        inTransaction(
            () -> {
              List<RowHash> out = new java.util.ArrayList<>();
              try (PreparedStatement ps = prepare(sql)) {
                ps.setFetchSize(1000);
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    out.add(reader.read(rs));
                  }
                }
              }
              return out;
            });
    rows.forEach(sink);
  }

  /** Appends "(k1 = ? AND k2 = ?) OR ..." for the given keys. */
  protected void keyPredicate(Sql sql, List<String> keys, Collection<Key> wanted) {
    boolean firstKey = true;
    for (Key k : wanted) {
      if (!firstKey) {
        sql.append(" OR ");
      }
      firstKey = false;
      if (textCannotHoldNul() && firstWithNul(k) >= 0 || !representable(k)) {
        sql.append("(1 = 0)"); // no row here can hold that key ({@link #compare}, representable)
        continue;
      }
      sql.append("(");
      for (int i = 0; i < keys.size(); i++) {
        if (i > 0) {
          sql.append(" AND ");
        }
        sql.append(keys.get(i)).append(" = ");
        sql.param(placeholder(shape.key().get(i)), k.get(i), shape.key().get(i));
      }
      sql.append(")");
    }
  }

  @Override
  public void rowHashes(Collection<Key> wanted, Consumer<RowHash> sink) {
    if (wanted.isEmpty()) {
      return;
    }
    List<String> keys = keyExprs();
    Sql sql = rowHashSelect(keys);
    ownerFilter(sql);
    sql.append("(");
    keyPredicate(sql, keys, wanted);
    sql.append(")");
    streamRowHashes(sql, sink);
  }

  /** SQL returning the current time as text; null when this dialect has none. */
  String currentTimeSql() {
    return null;
  }

  @Override
  public String currentTime() {
    String q = currentTimeSql();
    if (q == null || shape.updatedAt() == null) {
      return null;
    }
    return inTransaction(
        () -> {
          try (PreparedStatement ps = conn.prepareStatement(q);
              ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
          }
        });
  }

  @Override
  public java.util.Set<Key> updatedSince(Collection<Key> wanted, String watermark, String until) {
    if (wanted.isEmpty() || watermark == null || shape.updatedAt() == null) {
      return java.util.Set.of();
    }
    List<String> keys = keyExprs();
    Sql sql = keySelect(keys);
    sql.append(q(shape.updatedAt().name())).append(" >= ");
    watermarkParam(sql, watermarkValue(watermark, shape.updatedAt()), shape.updatedAt());
    if (until != null) {
      sql.append(" AND ").append(q(shape.updatedAt().name())).append(" <= ");
      watermarkParam(sql, watermarkValue(until, shape.updatedAt()), shape.updatedAt());
    }
    sql.append(" AND (");
    keyPredicate(sql, keys, wanted);
    sql.append(")");
    return inTransaction(
        () -> {
          java.util.Set<Key> out = new java.util.HashSet<>();
          try (PreparedStatement ps = prepare(sql);
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(readKeyAt(rs, 1));
            }
          }
          return out;
        });
  }

  /**
   * Appends a watermark (UTC text) as compared with the updatedAt column {@code c}: as it is here;
   * dialects convert it to the wall time of the zone a column without a time zone is written in.
   */
  void watermarkParam(Sql sql, Object value, Column c) {
    sql.param(placeholder(c), value, c);
  }

  /** The watermark as bound against the updatedAt column (text, cast by the placeholder). */
  Object watermarkValue(String watermark, Column c) {
    return watermark;
  }

  /** Reads a row hash column as a signed 64-bit value (unsigned hashes wrap). */
  protected long hashValue(ResultSet rs, int idx) throws SQLException {
    BigDecimal d = rs.getBigDecimal(idx);
    return d.toBigInteger().longValue();
  }

  @Override
  public Map<Key, List<String>> rowValues(Collection<Key> wanted) {
    if (wanted.isEmpty()) {
      return Map.of();
    }
    List<String> keys = keyExprs();
    Sql sql = new Sql();
    sql.append("SELECT ");
    for (int i = 0; i < keys.size(); i++) {
      sql.append(keyReadExpr(keys.get(i), shape.key().get(i))).append(", ");
    }
    List<String> values = new ArrayList<>();
    for (Column c : shape.compared()) {
      values.add(textExpr(q(c.name()), c));
    }
    sql.append(String.join(", ", values)).append(" FROM ").append(table).append(" WHERE ");
    keyPredicate(sql, keys, wanted);
    int nk = keys.size();
    return inTransaction(
        () -> {
          Map<Key, List<String>> out = new HashMap<>();
          try (PreparedStatement ps = prepare(sql);
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              Key k = readKeyAt(rs, 1);
              List<String> row = new ArrayList<>();
              for (int i = 0; i < shape.compared().size(); i++) {
                String v = rs.getString(nk + 1 + i);
                count(v);
                row.add(v);
              }
              out.put(k, row);
            }
          }
          return out;
        });
  }

  private boolean isClosed() {
    try {
      return conn.isClosed() || !conn.isValid(5);
    } catch (SQLException e) {
      return true;
    }
  }

  @Override
  public void reconnectWith(java.util.function.Supplier<Connection> opener) {
    this.reopen = opener;
  }

  @Override
  public void close() {
    try {
      conn.close();
    } catch (SQLException ignored) {
      // closing is best effort
    }
  }
}
