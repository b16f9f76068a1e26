package io.integrityauditor.audit;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.text.Normalizer;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The planted-difference corpus, the same for every dialect: each classic way a comparison tool
 * misses a difference (ambiguous encodings, rounding, XOR cancellation, linear hashes, boundary
 * rows, long keys, collations), with the exact expected findings.
 */
public final class DivergenceCorpus {
  /** Per-engine DDL and placeholders. */
  public record Engine(
      String corpusDdl,
      String todoDdl,
      String photoDdl,
      String eventDdl,
      String uniqDdl,
      String nokeyDdl,
      String jsonParam,
      String uuidParam) {}

  public static final Engine POSTGRES =
      new Engine(
          "CREATE TABLE corpus (id bigint PRIMARY KEY, owner_id int NOT NULL, s text, s2 text,"
              + " n numeric(20,10), ts timestamp(6), tstz timestamptz, d double precision,"
              + " b bytea, j jsonb)",
          "CREATE TABLE todo (user_name text NOT NULL, position int NOT NULL, title text,"
              + " PRIMARY KEY (user_name, position))",
          "CREATE TABLE photo (id uuid PRIMARY KEY, owner_id int, filename text)",
          "CREATE TABLE event (ts timestamp(6) PRIMARY KEY, title text)",
          "CREATE TABLE uniq (code text NOT NULL UNIQUE, v text)",
          "CREATE TABLE nokey (a int, b text)",
          "CAST(? AS jsonb)",
          "CAST(? AS uuid)");

  public static final Engine MARIADB =
      new Engine(
          "CREATE TABLE corpus (id bigint PRIMARY KEY, owner_id int NOT NULL, s text, s2 text,"
              + " n decimal(20,10), ts datetime(6), tstz timestamp(6) NULL, d double, b blob,"
              + " j json)",
          "CREATE TABLE todo (user_name varchar(64) COLLATE utf8mb4_bin NOT NULL,"
              + " position int NOT NULL, title text, PRIMARY KEY (user_name, position))",
          "CREATE TABLE photo (id uuid PRIMARY KEY, owner_id int, filename text)",
          "CREATE TABLE event (ts datetime(6) PRIMARY KEY, title text)",
          "CREATE TABLE uniq (code varchar(64) NOT NULL UNIQUE, v text)",
          "CREATE TABLE nokey (a int, b text)",
          "?",
          "?");

  public static final Engine H2 =
      new Engine(
          "CREATE TABLE corpus (id bigint PRIMARY KEY, owner_id int NOT NULL, s varchar, s2 varchar,"
              + " n numeric(20,10), ts timestamp(6), tstz timestamp(6) with time zone,"
              + " d double precision, b varbinary, j varchar)",
          "CREATE TABLE todo (user_name varchar NOT NULL, position int NOT NULL, title varchar,"
              + " PRIMARY KEY (user_name, position))",
          "CREATE TABLE photo (id uuid PRIMARY KEY, owner_id int, filename varchar)",
          "CREATE TABLE event (ts timestamp(6) PRIMARY KEY, title varchar)",
          "CREATE TABLE uniq (code varchar NOT NULL UNIQUE, v varchar)",
          "CREATE TABLE nokey (a int, b varchar)",
          "?",
          "?");

  public static final long BIG = 1_000_000_000_000_000_000L;
  static final LocalDateTime T0 = LocalDateTime.of(2009, 10, 10, 12, 0, 0);
  static final List<String> TODO_USERS =
      List.of("alice", "bob", "Bob", "zoë", "Zoë", "émile", "_x", "a b");

  private DivergenceCorpus() {}

  /** Creates the tables and loads the identical base data. */
  public static void load(Connection c, Engine e) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String ddl :
          List.of(
              e.corpusDdl(), e.todoDdl(), e.photoDdl(), e.eventDdl(), e.uniqDdl(), e.nokeyDdl())) {
        s.execute(ddl);
      }
    }
    c.setAutoCommit(false);
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO corpus (id, owner_id, s, s2, n, ts, tstz, d, b, j)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                + e.jsonParam()
                + ")")) {
      for (long id = 1; id <= 3000; id++) {
        corpusRow(ps, id);
      }
      for (long id = BIG + 1; id <= BIG + 10; id++) {
        corpusRow(ps, id);
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO todo (user_name, position, title) VALUES (?, ?, ?)")) {
      for (String u : TODO_USERS) {
        for (int p = 1; p <= 40; p++) {
          ps.setString(1, u);
          ps.setInt(2, p);
          ps.setString(3, "todo " + p + " of " + u);
          ps.addBatch();
        }
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO photo (id, owner_id, filename) VALUES (" + e.uuidParam() + ", ?, ?)")) {
      for (int i = 0; i < 50; i++) {
        ps.setString(1, photoId(i));
        ps.setInt(2, i % 7);
        ps.setString(3, "IMG_" + i + ".jpg");
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO event (ts, title) VALUES (?, ?)")) {
      for (int i = 0; i < 50; i++) {
        ps.setTimestamp(1, Timestamp.valueOf(T0.plusMinutes(i).plusNanos(i * 1000L)));
        ps.setString(2, "event " + i);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO uniq (code, v) VALUES (?, ?)")) {
      for (int i = 0; i < 30; i++) {
        ps.setString(1, "code-" + i);
        ps.setString(2, "v" + i);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    c.commit();
    c.setAutoCommit(true);
  }

  static String photoId(int i) {
    return UUID.nameUUIDFromBytes(("photo-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .toString();
  }

  private static void corpusRow(PreparedStatement ps, long id) throws SQLException {
    String s = "row " + id;
    String s2 = "x";
    if (id == 10 || id == 12) {
      s = null;
    } else if (id == 11) {
      s = "";
    } else if (id == 13) {
      s = "abc";
    } else if (id == 14) {
      s = " abc";
    } else if (id == 15) {
      s = "a|";
      s2 = "b";
    } else if (id == 22) {
      s = Normalizer.normalize("café", Normalizer.Form.NFC);
    } else if (id == 23) {
      s = "Hello";
    } else if (id == 30 || id == 31) {
      s = "same";
    } else if (id == 40) {
      s = "left";
    } else if (id == 41) {
      s = "right";
    }
    ps.setLong(1, id);
    ps.setInt(2, (int) (id % 97));
    ps.setString(3, s);
    ps.setString(4, s2);
    ps.setBigDecimal(
        5, id == 16 ? new BigDecimal("1.0000000001") : BigDecimal.valueOf(id % 1000, 3));
    ps.setTimestamp(
        6,
        id == 26
            ? Timestamp.valueOf(LocalDateTime.of(2024, 5, 1, 12, 0, 0))
            : Timestamp.valueOf(T0.plusSeconds(id % 100000).plusNanos((id % 1000) * 1000)));
    ps.setTimestamp(7, Timestamp.valueOf(T0.plusMinutes(id % 100000)));
    ps.setDouble(8, id == 19 ? 0.1 : id * 0.25);
    ps.setBytes(9, new byte[] {(byte) id, (byte) (id >> 8), 0x55, 0x0f});
    ps.setString(10, "{\"a\": {\"b\": [" + (id == 21 ? 1 : id) + ", 2]}}");
    ps.addBatch();
  }

  /** Plants the differences on the copy. */
  public static void plant(Connection c, Engine e) throws SQLException {
    update(c, "UPDATE corpus SET s = ? WHERE id = ?", "", 10);
    update(c, "UPDATE corpus SET s = ? WHERE id = ?", "NULL", 11);
    update(c, "UPDATE corpus SET s = ? WHERE id = ?", "NULL", 12);
    update(c, "UPDATE corpus SET s = ? WHERE id = ?", "abc ", 13);
    update(c, "UPDATE corpus SET s = ? WHERE id = ?", "abc", 14);
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE corpus SET s = ?, s2 = ? WHERE id = 15")) {
      ps.setString(1, "a");
      ps.setString(2, "|b");
      ps.executeUpdate();
    }
    update(c, "UPDATE corpus SET n = ? WHERE id = ?", new BigDecimal("1.0000000002"), 16);
    update(
        c,
        "UPDATE corpus SET ts = ? WHERE id = ?",
        Timestamp.valueOf(T0.plusSeconds(17).plusNanos(17 * 1000 + 1000)),
        17);
    update(
        c,
        "UPDATE corpus SET tstz = ? WHERE id = ?",
        Timestamp.valueOf(T0.plusMinutes(18).plusNanos(500_000_000)),
        18);
    update(c, "UPDATE corpus SET d = ? WHERE id = ?", Math.nextUp(0.1), 19);
    update(c, "UPDATE corpus SET b = ? WHERE id = ?", new byte[] {20, 0, 0x55, 0x0e}, 20);
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE corpus SET j = " + e.jsonParam() + " WHERE id = 21")) {
      ps.setString(1, "{\"a\": {\"b\": [1, 3]}}");
      ps.executeUpdate();
    }
    update(
        c,
        "UPDATE corpus SET s = ? WHERE id = ?",
        Normalizer.normalize("café", Normalizer.Form.NFD),
        22);
    update(c, "UPDATE corpus SET s = ? WHERE id = ?", "hello", 23);
    // A sign flip (PostgreSQL's numeric hash ignores the sign).
    update(c, "UPDATE corpus SET n = ? WHERE id = ?", new BigDecimal("-0.024"), 24);
    // 71 minutes earlier to the microsecond chosen so that the two halves of the 64-bit value XOR
    // alike (PostgreSQL's int8 and timestamp hashes fold the value to 32 bits that way).
    update(
        c,
        "UPDATE corpus SET ts = ? WHERE id = ?",
        Timestamp.valueOf(LocalDateTime.of(2024, 5, 1, 10, 48, 25, 32_705_000)),
        26);
    update(c, "UPDATE corpus SET s = ? WHERE id = ?", "samf", 30);
    update(c, "UPDATE corpus SET s = ? WHERE id = ?", "samf", 31);
    update(c, "UPDATE corpus SET s = ? WHERE id = ?", "right", 40);
    update(c, "UPDATE corpus SET s = ? WHERE id = ?", "left", 41);
    update(c, "UPDATE corpus SET s = ? WHERE id = ?", "changed", BIG + 5);
    for (long id : new long[] {1, 2000, BIG + 3, BIG + 10}) {
      update(c, "DELETE FROM corpus WHERE id = ?", null, id);
    }
    for (long id : new long[] {-5, 0, 3005, 9_000_000_000_000_000_001L}) {
      try (PreparedStatement ps =
          c.prepareStatement("INSERT INTO corpus (id, owner_id, s) VALUES (?, ?, ?)")) {
        ps.setLong(1, id);
        ps.setInt(2, 96);
        ps.setString(3, "extra " + id);
        ps.executeUpdate();
      }
    }

    todo(c, "DELETE FROM todo WHERE user_name = ? AND position = ?", "bob", 3);
    todo(c, "DELETE FROM todo WHERE user_name = ? AND position = ?", "Bob", 40);
    todo(c, "INSERT INTO todo (user_name, position, title) VALUES (?, ?, 'extra')", "alice", 99);
    todo(c, "INSERT INTO todo (user_name, position, title) VALUES (?, ?, 'extra')", "aaa", 1);
    todo(c, "INSERT INTO todo (user_name, position, title) VALUES (?, ?, 'extra')", "\uff5a", 1);
    todo(c, "UPDATE todo SET title = 'changed' WHERE user_name = ? AND position = ?", "Zoë", 1);

    try (PreparedStatement ps =
        c.prepareStatement("UPDATE photo SET filename = 'other.jpg' WHERE id = " + e.uuidParam())) {
      ps.setString(1, photoId(7));
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM photo WHERE id = " + e.uuidParam())) {
      ps.setString(1, photoId(33));
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE event SET title = 'moved' WHERE ts = ?")) {
      ps.setTimestamp(1, Timestamp.valueOf(T0.plusMinutes(5).plusNanos(5000)));
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO event (ts, title) VALUES (?, 'new')")) {
      ps.setTimestamp(1, Timestamp.valueOf(T0.plusMinutes(9).plusNanos(9000 + 1000)));
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE uniq SET v = 'w' WHERE code = 'code-3'")) {
      ps.executeUpdate();
    }
  }

  private static void update(Connection c, String sql, Object value, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      if (value != null) {
        ps.setObject(i++, value);
      }
      ps.setLong(i, id);
      ps.executeUpdate();
    }
  }

  private static void todo(Connection c, String sql, String user, int position)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, user);
      ps.setInt(2, position);
      ps.executeUpdate();
    }
  }

  public static Set<String> expectedCorpus() {
    Set<String> s = new TreeSet<>();
    for (long id :
        new long[] {
          10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 26, 30, 31, 40, 41, BIG + 5
        }) {
      s.add("CHANGED " + id);
    }
    for (long id : new long[] {1, 2000, BIG + 3, BIG + 10}) {
      s.add("MISSING " + id);
    }
    for (long id : new long[] {-5, 0, 3005, 9_000_000_000_000_000_001L}) {
      s.add("EXTRA " + id);
    }
    return s;
  }

  public static Set<String> expectedTodo() {
    return new TreeSet<>(
        Set.of(
            "MISSING bob|3",
            "MISSING Bob|40",
            "EXTRA alice|99",
            "EXTRA aaa|1",
            "EXTRA \uff5a|1",
            "CHANGED Zoë|1"));
  }

  public static Set<String> expectedPhoto() {
    return new TreeSet<>(Set.of("CHANGED " + photoId(7), "MISSING " + photoId(33)));
  }

  public static Set<String> expectedUniq() {
    return Set.of("CHANGED code-3");
  }
}
