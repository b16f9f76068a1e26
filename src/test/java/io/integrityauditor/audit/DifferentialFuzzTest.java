package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.engine.CompareSettings;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Random tables and random divergence, audited, against the ground truth of what was planted: every
 * planted difference found with its kind, its key and its changed column, and nothing else. Each
 * round draws a key (bigint: dense, sparse with gaps up to 10^12, negative, next to 2^63 - 1; text
 * in characters collations order differently; UUID, which MariaDB orders by its segments reversed;
 * timestamp to the microsecond; int and text), rows with the values comparisons get wrong (NULL,
 * '', 'NULL', blanks, NFC and NFD, doubles to the last bit, numerics to the last decimal,
 * timestamps to the microsecond), then, on each of one or two copies, deletes, inserts (below,
 * inside and above the key range) and single-column edits, sometimes the same edit on two rows or a
 * value moved into the NULL beside it, and audits with drawn engine settings (one pass or chunks of
 * drawn sizes, leaves and fan-outs) — the whole table, then one drawn user's rows. Copies with the
 * primary's column types are hashed natively, copies with a different text type canonically;
 * PostgreSQL to MariaDB in the JVM.
 *
 * <p>Deterministic: round i of a run uses seed {@code ia.fuzz.seed} + i (default 20261204), {@code
 * ia.fuzz.rounds} rounds per engine pair (default 25). A failure names its seed, which reproduces
 * it alone with {@code -Dia.fuzz.seed=S -Dia.fuzz.rounds=1}.
 */
class DifferentialFuzzTest {
  static final long SEED = Long.getLong("ia.fuzz.seed", 20261204L);
  static final int ROUNDS = Integer.getInteger("ia.fuzz.rounds", 25);
  static final int PG = TestDatabases.PG_PRIMARY_PORT;
  static final int MY = TestDatabases.MARIADB_PRIMARY_PORT;
  static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
  static final String[] COLUMNS = {"owner", "a", "b", "c", "d"};

  enum Engine {
    PG,
    MARIADB
  }

  /** The key of the drawn table: one bigint, text, UUID or timestamp, or an int and a text. */
  enum KeyKind {
    BIGINT,
    TEXT,
    COMPOSITE,
    UUID,
    TIMESTAMP
  }

  /**
   * One row; null fields are SQL NULL. Its key: a Long, a String, a UUID, a LocalDateTime, or an
   * Integer and a String.
   */
  record Row(List<Object> id, int owner, String a, BigDecimal b, LocalDateTime c, Double d) {
    Object get(int col) {
      return switch (col) {
        case 0 -> owner;
        case 1 -> a;
        case 2 -> b;
        case 3 -> c;
        default -> d;
      };
    }

    Row with(int col, Object v) {
      return switch (col) {
        case 0 -> new Row(id, (Integer) v, a, b, c, d);
        case 1 -> new Row(id, owner, (String) v, b, c, d);
        case 2 -> new Row(id, owner, a, (BigDecimal) v, c, d);
        case 3 -> new Row(id, owner, a, b, (LocalDateTime) v, d);
        default -> new Row(id, owner, a, b, c, (Double) v);
      };
    }

    String values() {
      StringBuilder key = new StringBuilder();
      for (Object k : id) {
        key.append(
                k instanceof String || k instanceof java.util.UUID
                    ? "'" + k + "'"
                    : k instanceof LocalDateTime t ? "'" + TS.format(t) + "'" : k)
            .append(", ");
      }
      return "("
          + key
          + owner
          + ", "
          + (a == null ? "NULL" : "'" + a.replace("'", "''") + "'")
          + ", "
          + (b == null ? "NULL" : b.toPlainString())
          + ", "
          + (c == null ? "NULL" : "'" + TS.format(c) + "'")
          + ", "
          + (d == null ? "NULL" : Double.toString(d))
          + ")";
    }
  }

  @Test
  void postgresToPostgres() throws Exception {
    rounds(Engine.PG, Engine.PG, 0);
  }

  @Test
  void mariaDbToMariaDb() throws Exception {
    rounds(Engine.MARIADB, Engine.MARIADB, 1_000_000);
  }

  @Test
  void postgresToMariaDb() throws Exception {
    rounds(Engine.PG, Engine.MARIADB, 2_000_000);
  }

  private void rounds(Engine primary, Engine copy, long offset) throws Exception {
    String p = "fuzz_" + primary.name().toLowerCase() + "_p";
    String c = "fuzz_" + copy.name().toLowerCase() + "_c";
    recreate(primary, p);
    recreate(copy, c);
    recreate(copy, c + "2");
    for (int i = 0; i < ROUNDS; i++) {
      round(SEED + offset + i, primary, p, copy, c);
    }
    // not vacuous: the rounds planted differences (about 8 a round), all found above
    assertThat(plantedTotal).isGreaterThan(3 * ROUNDS);
    assertThat(userRounds).isGreaterThan(ROUNDS / 2);
  }

  private void round(long seed, Engine primary, String pDb, Engine copy, String cDb)
      throws Exception {
    Random rnd = new Random(seed);
    KeyKind kind = KeyKind.values()[rnd.nextInt(10) < 5 ? 0 : 1 + rnd.nextInt(4)];
    // keyed by the key's text as a case-insensitive, trailing-blank-blind collation sees it: the
    // keys stay distinct under every collation of the engines
    TreeMap<String, Row> rows = new TreeMap<>();
    for (List<Object> k : keys(rnd, kind)) {
      rows.put(identity(k), row(rnd, k));
    }
    int copies = rnd.nextInt(3) == 0 ? 2 : 1;
    List<Copy> planted = new ArrayList<>();
    for (int i = 0; i < copies; i++) {
      planted.add(plant(rnd, kind, rows));
    }
    boolean canonicalCopy = primary != copy || rnd.nextBoolean();
    load(primary, pDb, kind, rows.values(), false);
    for (int i = 0; i < copies; i++) {
      load(
          copy,
          cDb + (i == 0 ? "" : "2"),
          kind,
          planted.get(i).rows().values(),
          canonicalCopy && primary == copy);
    }

    CompareSettings settings = settings(rnd);
    AuditFixture fixture = new AuditFixture().primary("p", endpoint(primary, pDb));
    for (int i = 0; i < copies; i++) {
      fixture.replica("c" + i, endpoint(copy, cDb + (i == 0 ? "" : "2")));
    }
    fixture.table("t", "owner");
    AuditReport r = fixture.run(settings);
    for (int i = 0; i < copies; i++) {
      Set<String> expected = planted.get(i).expected();
      plantedTotal += expected.size();
      assertThat(found(r, "c" + i))
          .as(
              "seed %d: %s -> %s (%s copy %d of %d), %s key, %d rows, keys %s..%s, settings %s,"
                  + " planted %s; error %s",
              seed,
              primary,
              copy,
              canonicalCopy ? "canonical" : "native",
              i + 1,
              copies,
              kind,
              rows.size(),
              rows.isEmpty() ? "-" : text(rows.firstEntry().getValue().id()),
              rows.isEmpty() ? "-" : text(rows.lastEntry().getValue().id()),
              settings,
              planted.get(i).planted(),
              r.tables().get(0).error())
          .isEqualTo(expected);
    }

    // One user's audit (rows filtered by owner in SQL on both sides): exactly that user's planted
    // differences; a row whose owner was edited is that user's MISSING or EXTRA row.
    Set<Integer> owners = new TreeSet<>();
    planted.forEach(c -> c.ownerOf().values().forEach(o -> owners.addAll(List.of(o[0], o[1]))));
    owners.remove(-1);
    if (!owners.isEmpty()) {
      int user = new ArrayList<>(owners).get(rnd.nextInt(owners.size()));
      AuditReport ur = fixture.runUser(settings, "t", String.valueOf(user));
      for (int i = 0; i < copies; i++) {
        Set<String> mine = new TreeSet<>();
        planted
            .get(i)
            .ownerOf()
            .forEach(
                (f, o) -> {
                  String key = f.substring(f.indexOf(' ') + 1, f.lastIndexOf(" ["));
                  if (o[0] == user && o[1] == user) {
                    mine.add(f);
                  } else if (o[0] == user) {
                    mine.add("MISSING " + key + " []");
                  } else if (o[1] == user) {
                    mine.add("EXTRA " + key + " []");
                  }
                });
        assertThat(found(ur, "c" + i))
            .as(
                "seed %d, user %d, copy %d: %s -> %s, %s key, error %s",
                seed, user, i + 1, primary, copy, kind, ur.tables().get(0).error())
            .isEqualTo(mine);
      }
      userRounds++;
    }
  }

  /** "KIND key [columns]" of one copy's findings. */
  private static Set<String> found(AuditReport r, String copy) {
    Set<String> out = new TreeSet<>();
    for (AuditReport.FindingReport f : AuditFixture.copy(r, "t", copy).findings()) {
      out.add(
          f.kind()
              + " "
              + text(new ArrayList<>(f.key().values()))
              + " "
              + f.columns().stream().sorted().toList());
    }
    return out;
  }

  /** A copy of the primary's rows with planted divergence, and what the audit must report. */
  record Copy(
      TreeMap<String, Row> rows,
      Set<String> expected,
      java.util.Map<String, int[]> ownerOf,
      List<String> planted) {}

  private static Copy plant(Random rnd, KeyKind kind, TreeMap<String, Row> rows) {
    TreeMap<String, Row> copyRows = new TreeMap<>(rows);
    Set<String> expected = new TreeSet<>();
    // each expected finding's owners: {the primary's row's, the copy's row's}, -1 where absent
    java.util.Map<String, int[]> ownerOf = new java.util.HashMap<>();
    List<String> planted = new ArrayList<>();
    Set<String> touched = new HashSet<>();
    List<String> present = new ArrayList<>(rows.keySet());

    int deletes = present.isEmpty() ? 0 : rnd.nextInt(Math.min(6, present.size() + 1));
    for (int i = 0; i < deletes; i++) {
      String k = present.get(rnd.nextInt(present.size()));
      if (touched.add(k)) {
        Row gone = copyRows.remove(k);
        expected.add("MISSING " + text(gone.id()) + " []");
        ownerOf.put("MISSING " + text(gone.id()) + " []", new int[] {gone.owner(), -1});
      }
    }
    int inserts = rnd.nextInt(6);
    for (int i = 0; i < inserts; i++) {
      List<Object> k = newKey(rnd, kind, rows);
      if (k != null && touched.add(identity(k))) {
        Row extra = row(rnd, k);
        copyRows.put(identity(k), extra);
        expected.add("EXTRA " + text(k) + " []");
        ownerOf.put("EXTRA " + text(k) + " []", new int[] {-1, extra.owner()});
      }
    }
    int edits = present.isEmpty() ? 0 : rnd.nextInt(9);
    for (int i = 0; i < edits; i++) {
      String k = present.get(rnd.nextInt(present.size()));
      if (touched.add(k)) {
        int col = rnd.nextInt(COLUMNS.length);
        Row r = copyRows.get(k);
        copyRows.put(k, r.with(col, changed(rnd, r.get(col), col)));
        expected.add("CHANGED " + text(r.id()) + " [" + COLUMNS[col] + "]");
        ownerOf.put(
            "CHANGED " + text(r.id()) + " [" + COLUMNS[col] + "]",
            new int[] {r.owner(), copyRows.get(k).owner()});
      }
    }
    if (present.size() >= 2 && rnd.nextInt(3) == 0) {
      // the same edit on two rows: a linear hash summed or XORed over a chunk can cancel it
      String k1 = present.get(rnd.nextInt(present.size()));
      String k2 = present.get(rnd.nextInt(present.size()));
      if (!k1.equals(k2) && !touched.contains(k1) && !touched.contains(k2)) {
        touched.add(k1);
        touched.add(k2);
        Row r1 = copyRows.get(k1);
        Row r2 = copyRows.get(k2);
        copyRows.put(k1, r1.with(0, r1.owner() ^ 64));
        copyRows.put(k2, r2.with(0, r2.owner() ^ 64));
        expected.add("CHANGED " + text(r1.id()) + " [owner]");
        expected.add("CHANGED " + text(r2.id()) + " [owner]");
        ownerOf.put(
            "CHANGED " + text(r1.id()) + " [owner]", new int[] {r1.owner(), r1.owner() ^ 64});
        ownerOf.put(
            "CHANGED " + text(r2.id()) + " [owner]", new int[] {r2.owner(), r2.owner() ^ 64});
        planted.add("same edit on " + text(r1.id()) + ", " + text(r2.id()));
      }
    }

    if (rnd.nextInt(3) == 0) {
      // a value moved into the NULL beside it: (NULL, 12.500) -> ('12.500', NULL), one encoding
      // if NULLs were only skipped
      for (String k : present) {
        Row r = copyRows.get(k);
        if (!touched.contains(k) && r.a() == null && r.b() != null) {
          touched.add(k);
          copyRows.put(k, r.with(1, r.b().toPlainString()).with(2, null));
          expected.add("CHANGED " + text(r.id()) + " [a, b]");
          ownerOf.put("CHANGED " + text(r.id()) + " [a, b]", new int[] {r.owner(), r.owner()});
          planted.add("NULL shifted in " + text(r.id()));
          break;
        }
      }
    }

    return new Copy(copyRows, expected, ownerOf, planted);
  }

  private int plantedTotal;
  private int userRounds;

  private static String text(List<Object> key) {
    return String.join("|", key.stream().map(DifferentialFuzzTest::keyText).toList());
  }

  /** A key value as the report's, timestamps as yyyy-MM-dd HH:mm:ss.SSSSSS however printed. */
  private static String keyText(Object v) {
    if (v instanceof LocalDateTime t) {
      return TS.format(t);
    }
    String s = String.valueOf(v);
    if (s.matches("\\d{4}-\\d\\d-\\d\\d[ T]\\d\\d:\\d\\d.*")) {
      return TS.format(LocalDateTime.parse(s.replace(' ', 'T')));
    }
    return s;
  }

  private static String identity(List<Object> key) {
    return text(key).toLowerCase(java.util.Locale.ROOT).stripTrailing();
  }

  private static List<List<Object>> keys(Random rnd, KeyKind kind) {
    int n =
        switch (rnd.nextInt(6)) {
          case 0 -> rnd.nextInt(4);
          case 1 -> 1 + rnd.nextInt(300);
          default -> 500 + rnd.nextInt(3_000);
        };
    List<List<Object>> out = new ArrayList<>();
    if (kind == KeyKind.BIGINT) {
      for (long k : integerKeys(rnd, n)) {
        out.add(List.of(k));
      }
      return out;
    }
    Set<String> seen = new HashSet<>();
    while (out.size() < n) {
      List<Object> k = otherKey(rnd, kind);
      if (seen.add(identity(k))) {
        out.add(k);
      }
    }
    return out;
  }

  private static List<Object> otherKey(Random rnd, KeyKind kind) {
    return switch (kind) {
      case TEXT -> List.of(textKey(rnd));
      case COMPOSITE -> List.of(rnd.nextInt(rnd.nextBoolean() ? 5 : 100_000) - 2, textKey(rnd));
      case UUID -> // version 4, RFC 4122 variant: MariaDB's type refuses other variants
          List.of(
              new java.util.UUID(
                  (rnd.nextLong() & ~0xF000L) | 0x4000L,
                  (rnd.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L));
      case TIMESTAMP ->
          List.of(
              LocalDateTime.of(2009, 10, 1, 12, 0)
                  .plusNanos(
                      1_000L
                          * (rnd.nextBoolean()
                              ? rnd.nextInt(5_000)
                              : Math.abs(rnd.nextLong()) % 400_000_000_000_000L)));
      default -> throw new IllegalArgumentException(kind.name());
    };
  }

  /** Characters whose order differs between collations: case, digits, punctuation, blanks. */
  private static final String KEY_CHARS = "abcxyzABCXYZ0129-_. ~";

  private static String textKey(Random rnd) {
    StringBuilder b = new StringBuilder();
    int len = 1 + rnd.nextInt(rnd.nextBoolean() ? 3 : 12);
    for (int i = 0; i < len; i++) {
      b.append(KEY_CHARS.charAt(rnd.nextInt(KEY_CHARS.length())));
    }
    String k = b.toString().stripTrailing();
    return k.isEmpty() ? "k" : k;
  }

  /** A layout: dense, sparse with gaps up to 10^12, negative, or ending at 2^63 - 1. */
  private static List<Long> integerKeys(Random rnd, int n) {
    List<Long> out = new ArrayList<>();
    switch (rnd.nextInt(4)) {
      case 0 -> {
        for (long k = 1; k <= n; k++) {
          out.add(k);
        }
      }
      case 1 -> {
        long[] gaps = {1, 1, 1, 1, 2, 7, 1_000, 2_001, 1_000_000, 1_000_000_000_000L};
        long k = -rnd.nextInt(5_000);
        for (int i = 0; i < n; i++) {
          k += gaps[rnd.nextInt(rnd.nextInt(8) == 0 ? gaps.length : 6)];
          out.add(k);
        }
      }
      case 2 -> {
        long k = -1_000_000_000_000_000L - rnd.nextInt(1_000);
        for (int i = 0; i < n; i++) {
          k += 1 + rnd.nextInt(3);
          out.add(k);
        }
      }
      default -> {
        long k = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
          out.add(0, k);
          k -= 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 100_000 : 3);
        }
      }
    }
    return out;
  }

  /** A key the primary does not have: below, inside or above its range (none that overflows). */
  private static List<Object> newKey(Random rnd, KeyKind kind, TreeMap<String, Row> rows) {
    for (int attempt = 0; attempt < 20; attempt++) {
      List<Object> k;
      if (kind != KeyKind.BIGINT) {
        k = otherKey(rnd, kind);
      } else if (rows.isEmpty()) {
        k = List.of((long) rnd.nextInt(1_000) - 500);
      } else {
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (Row r : rows.values()) {
          lo = Math.min(lo, (Long) r.id().get(0));
          hi = Math.max(hi, (Long) r.id().get(0));
        }
        try {
          k =
              List.of(
                  switch (rnd.nextInt(3)) {
                    case 0 ->
                        Math.subtractExact(lo, 1 + rnd.nextInt(rnd.nextBoolean() ? 3 : 1_000_000));
                    case 1 -> Math.addExact(hi, 1 + rnd.nextInt(rnd.nextBoolean() ? 3 : 1_000_000));
                    default -> lo + (long) (rnd.nextDouble() * ((double) hi - (double) lo));
                  });
        } catch (ArithmeticException beyondBigint) {
          continue; // drawn past -2^63 or 2^63 - 1: draw again
        }
      }
      if (!rows.containsKey(identity(k))) {
        return k;
      }
    }
    return null;
  }

  private static final String[] TEXTS = {
    "",
    "NULL",
    " ",
    "x",
    " x",
    "x ",
    "a|b",
    "a",
    "b",
    "caf\u00e9",
    "cafe\u0301",
    "Case",
    "case",
    "\u00fcber",
    "tab\there",
    "line\nbreak",
    "\u65e5\u672c"
  };

  private static Row row(Random rnd, List<Object> k) {
    String a =
        switch (rnd.nextInt(5)) {
          case 0 -> null;
          case 1 -> TEXTS[rnd.nextInt(TEXTS.length)];
          default -> "v" + Long.toString(rnd.nextLong() & 0xffffffffL, 36);
        };
    BigDecimal b =
        rnd.nextInt(6) == 0 ? null : BigDecimal.valueOf(rnd.nextLong() % 1_000_000_000L, 3);
    LocalDateTime c =
        rnd.nextInt(6) == 0
            ? null
            : LocalDateTime.of(2001, 1, 1, 0, 0)
                .plusNanos(1_000L * (Math.abs(rnd.nextLong()) % 900_000_000_000_000L));
    Double d =
        switch (rnd.nextInt(6)) {
          case 0 -> null;
          case 1 ->
              new double[] {0.1, 1e-300, 1.7976931348623157e308, 123456789.123456789, 1.0 / 3}
                  [rnd.nextInt(5)];
          default -> rnd.nextInt() / 1024.0;
        };
    return new Row(k, 1 + rnd.nextInt(50), a, b, c, d);
  }

  /** A value of the column that differs from {@code v} under every comparison the auditor makes. */
  private static Object changed(Random rnd, Object v, int col) {
    switch (col) {
      case 0 -> {
        return (Integer) v + 1;
      }
      case 1 -> {
        String s = (String) v;
        if (s == null) {
          return rnd.nextBoolean() ? "" : "NULL";
        }
        return switch (rnd.nextInt(5)) {
          case 0 -> s + " ";
          case 1 -> s.isEmpty() ? null : s.substring(1);
          case 2 ->
              s.equals("caf\u00e9") ? "cafe\u0301" : s.equals("cafe\u0301") ? "caf\u00e9" : s + "e";
          case 3 -> s.equals(s.toUpperCase()) ? s + "x" : s.toUpperCase();
          default -> null;
        };
      }
      case 2 -> {
        return v == null ? new BigDecimal("0.000") : ((BigDecimal) v).add(new BigDecimal("0.001"));
      }
      case 3 -> {
        return v == null
            ? LocalDateTime.of(2009, 10, 11, 0, 0)
            : rnd.nextBoolean() ? ((LocalDateTime) v).plusNanos(1_000) : null;
      }
      default -> {
        if (v == null) {
          return 0.5;
        }
        double d = (Double) v;
        return rnd.nextBoolean() || d == Double.MAX_VALUE ? Math.nextDown(d) : Math.nextUp(d);
      }
    }
  }

  private static CompareSettings settings(Random rnd) {
    return switch (rnd.nextInt(4)) {
      case 0 -> CompareSettings.defaults();
      case 1 -> AuditFixture.TINY_CHUNKS;
      case 2 -> {
        long min = 50 + rnd.nextInt(500);
        yield CompareSettings.defaults()
            .withChunkRows(min + rnd.nextInt(1_000), min, min + 2_000)
            .withLeafRows(2 + rnd.nextInt(64), 2 + rnd.nextInt(15))
            .withOnePassMaxRows(0);
      }
      default -> CompareSettings.defaults().withLeafRows(2 + rnd.nextInt(30), 2 + rnd.nextInt(15));
    };
  }

  private static void recreate(Engine e, String db) throws Exception {
    if (e == Engine.PG) {
      TestDatabases.recreatePgDatabase(PG, db);
    } else {
      TestDatabases.recreateMariaDatabase(MY, db);
    }
  }

  private static EndpointConfig endpoint(Engine e, String db) {
    return e == Engine.PG ? TestDatabases.pgEndpoint(PG, db) : TestDatabases.mariaEndpoint(MY, db);
  }

  private static void load(
      Engine e, String db, KeyKind kind, java.util.Collection<Row> rows, boolean otherText)
      throws Exception {
    String text = otherText ? "varchar(200)" : "text";
    String key =
        switch (kind) {
          case BIGINT -> "id bigint PRIMARY KEY";
          case TEXT -> "id varchar(40) PRIMARY KEY";
          case COMPOSITE -> "k1 int, k2 varchar(40), PRIMARY KEY (k1, k2)";
          case UUID -> "id uuid PRIMARY KEY";
          case TIMESTAMP ->
              e == Engine.PG ? "id timestamp(6) PRIMARY KEY" : "id datetime(6) PRIMARY KEY";
        };
    try (Connection conn =
            e == Engine.PG
                ? TestDatabases.admin(TestDatabases.pgUrl(PG, db))
                : TestDatabases.mariaUnlogged(TestDatabases.mariaUrl(MY, db));
        Statement s = conn.createStatement()) {
      s.execute("DROP TABLE IF EXISTS t");
      if (e == Engine.PG) {
        s.execute(
            "CREATE TABLE t ("
                + key
                + ", owner int NOT NULL, a "
                + text
                + ", b numeric(15,3), c timestamp(6), d double precision)");
      } else {
        s.execute(
            "SET time_zone = '+00:00', sql_mode = 'STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES'");
        s.execute(
            "CREATE TABLE t ("
                + key
                + ", owner int NOT NULL, a "
                + text
                + ", b decimal(15,3), c datetime(6), d double) CHARACTER SET utf8mb4");
      }
      List<Row> all = new ArrayList<>(rows);
      for (int i = 0; i < all.size(); i += 500) {
        StringBuilder sql = new StringBuilder("INSERT INTO t VALUES ");
        for (int j = i; j < Math.min(all.size(), i + 500); j++) {
          sql.append(j > i ? ", " : "").append(all.get(j).values());
        }
        s.execute(sql.toString());
      }
      if (e == Engine.PG) {
        s.execute("ANALYZE t");
      }
    }
  }
}
