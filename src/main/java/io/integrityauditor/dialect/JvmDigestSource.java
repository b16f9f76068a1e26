package io.integrityauditor.dialect;

import io.integrityauditor.engine.BucketDigest;
import io.integrityauditor.engine.Buckets;
import io.integrityauditor.engine.CanonicalEncoding;
import io.integrityauditor.engine.Column;
import io.integrityauditor.engine.Digest;
import io.integrityauditor.engine.DigestSource;
import io.integrityauditor.engine.Key;
import io.integrityauditor.engine.KeyRange;
import io.integrityauditor.engine.PositionalDigest;
import io.integrityauditor.engine.RowHash;
import io.integrityauditor.engine.TableShape;
import io.integrityauditor.engine.Values;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Digests computed in the JVM: the database only filters and orders rows by key range, every row
 * crosses the network and is hashed here with {@link CanonicalEncoding}. Works with any JDBC
 * driver; slower than the in-database dialects, and the fallback across engines.
 */
final class JvmDigestSource extends JdbcDigestSource {

  JvmDigestSource(Dialect dialect, Connection conn, TableShape shape, Duration timeout) {
    super(dialect, conn, shape, timeout);
  }

  @Override
  String hashExpr() {
    throw new UnsupportedOperationException("hashed in the JVM");
  }

  /**
   * A MariaDB/MySQL key column as {@link MySqlDialect#keyRead} reads it; a PostgreSQL array key as
   * its text (bounds included, as the SQL-hashed paths read it, bound back as text the server reads
   * as the column's type); others as they are. Regression: an array key was read as its elements,
   * so '{5,6}' and '[0:1]={5,6}' were one key, and bound back as Object[] it failed the copy
   * ("Cannot cast an instance of [Ljava.lang.Object; to type Types.ARRAY").
   */
  @Override
  String keyReadExpr(String expr, Column c) {
    if (dialect instanceof PostgresDialect
        && (c.typeName().endsWith("]") || auxExpr(c) != null && !c.typeName().contains("["))) {
      // an array, or a timetz (24:00:00 failed the copy in binary transfer)
      return "CAST(" + expr + " AS text)";
    }
    if (dialect instanceof MySqlDialect) {
      String[] text = textColumns().get(c.name().toLowerCase(java.util.Locale.ROOT));
      return MySqlDialect.keyRead(
          expr, c, text == null ? null : foreign(text[0]), text != null && "ascii".equals(text[0]));
    }
    return expr;
  }

  /**
   * A character set whose conversion to UTF-8 can lose bytes (not a Unicode one, ascii or binary),
   * or null.
   */
  private static String foreign(String charset) {
    return MySqlDialect.lossyCharset(charset) == null
            || charset.equals("ascii")
            || charset.equals("binary")
        ? null
        : MySqlDialect.identifier(charset);
  }

  /**
   * A column's value as the driver decodes it, but timestamps as java.time values in UTC: a
   * java.sql.Timestamp is rendered in the JVM's default zone, so on a host outside UTC a PostgreSQL
   * timestamptz (an instant) and a MariaDB TIMESTAMP read in the session's UTC rendered an hour or
   * more apart (every such row CHANGED), two instants in a daylight-saving fold rendered alike (a
   * missed difference), and a local time in a spring gap was moved (HostTimeZoneIT). A timestamp
   * with a zone becomes its UTC date and time (what the other engine's session shows); one without,
   * its own date and time. Times as LocalTime (a java.sql.Time drops the fraction of a second: a
   * missed difference), dates as LocalDate. A driver that cannot decode to java.time gives its
   * usual object.
   *
   * <p>MariaDB's zero and invalid dates (0000-00-00, 2020-02-30, allowed by ALLOW_INVALID_DATES) as
   * their text: its driver reads the zero date as NULL and rolls the others over to real dates.
   *
   * <p>An SQL array as its elements, nested arrays as nested Object[]. A PostgreSQL array with a
   * lower bound other than 1 in any dimension as the text of its elements followed by its
   * array_dims ({@code [1:51:6][0:1]} for '[0:1]={5,6}'), which no array of default bounds encodes
   * as: its elements alone made '[0:1]={5,6}' equal to '{5,6}', which PostgreSQL holds different (a
   * missed difference). The bounds come from {@link #auxExpr}, read in SQL: in binary transfer the
   * driver drops them (its array reads {5,6} either way). Arrays of default bounds encode as
   * before.
   *
   * <p>A time outside 00:00 to 23:59:59.999999999 (24:00:00, MariaDB's -838:59:59 to 838:59:59) as
   * its text, written as a LocalTime is: PostgreSQL's driver reads 24:00:00 as 23:59:59.999999999
   * and MariaDB's wraps it to 00:00. A timetz 24:00:00 as its text too, written as an OffsetTime is
   * ({@code 24:00Z}, {@code 24:00+05:30}): PostgreSQL's driver read 24:00:00+00 and 24:00:00+05:30
   * both as 23:59:59.999999999-18:00 (text transfer: a missed difference) or failed the copy
   * (binary transfer, once it prepares the statement on the server: "Invalid value for NanoOfDay
   * (valid values 0 - 86399999999999): 86400000000000"), where it fails the column's own text too:
   * the text there is {@link #auxExpr}'s.
   *
   * <p>An SQL XML value as its text: PostgreSQL's driver hands xml over as a PgSQLXML, whose
   * toString is its object identity (org.postgresql.jdbc.PgSQLXML@2d554825): every non-NULL xml row
   * was CHANGED, '<a/>' against '<a/>' too.
   *
   * <p>PostgreSQL's infinity and -infinity as those words.
   *
   * @param aux the index of the column's {@link #auxExpr} in the row, or 0 when none is selected
   */
  Object readValue(ResultSet rs, int idx, Column c, int aux) throws SQLException {
    String type = c.typeName().toLowerCase(java.util.Locale.ROOT);
    boolean mysql = dialect instanceof MySqlDialect;
    if (mysql && type.startsWith("year")) {
      // The driver hands YEAR over as a date (2020 as 2020-01-01): its number, as a smallint reads.
      long n = rs.getLong(idx);
      return rs.wasNull() ? null : (Object) n;
    }
    if (mysql
        && (c.jdbcType() == java.sql.Types.TIMESTAMP || c.jdbcType() == java.sql.Types.DATE)) {
      // A zero or invalid date (ALLOW_INVALID_DATES) read as NULL or rolled over to a real date
      // (2020-02-30 as 2020-03-01): its own text, which no valid date's encoding equals.
      String raw = rs.getString(idx);
      if (raw == null) {
        return null;
      }
      if (!validDate(raw)) {
        return raw;
      }
    }
    boolean zoned =
        c.jdbcType() == java.sql.Types.TIMESTAMP_WITH_TIMEZONE
            || type.equals("timestamptz")
            || type.startsWith("timestamp") && type.contains("with time zone");
    try {
      if (zoned) {
        java.time.OffsetDateTime t = rs.getObject(idx, java.time.OffsetDateTime.class);
        if (t != null
            && (t.equals(java.time.OffsetDateTime.MAX) || t.equals(java.time.OffsetDateTime.MIN))
            && infinite(rs, idx, null) != null) {
          // (a finite extreme, such as H2's, goes on as before: it does not convert to UTC)
          return infinite(rs, idx, null);
        }
        return t == null
            ? null
            : t.withOffsetSameInstant(java.time.ZoneOffset.UTC).toLocalDateTime();
      }
      if (c.jdbcType() == java.sql.Types.TIMESTAMP) {
        java.time.LocalDateTime t = rs.getObject(idx, java.time.LocalDateTime.class);
        return t != null
                && (t.equals(java.time.LocalDateTime.MAX) || t.equals(java.time.LocalDateTime.MIN))
            ? infinite(rs, idx, t)
            : t;
      }
      if (c.jdbcType() == java.sql.Types.TIME
          || c.jdbcType() == java.sql.Types.TIME_WITH_TIMEZONE) {
        // java.sql.Time keeps whole seconds only: 13:45:01.123456 and 13:45:01.999999 were equal.
        if (type.equals("timetz") || type.contains("with time zone")) {
          return offsetTime(rs, idx, aux);
        }
        if (mysql) {
          // MariaDB's driver wraps a TIME outside the day: 24:00:00 read as 00:00, 838:59:59 as
          // 22:59:59, -01:00:00.5 as 22:59:59.5
          String raw = rs.getString(idx);
          if (raw == null) {
            return null;
          }
          if (!withinDay(raw)) {
            return timeText(raw);
          }
        }
        java.time.LocalTime t = rs.getObject(idx, java.time.LocalTime.class);
        if (java.time.LocalTime.MAX.equals(t)) {
          // PostgreSQL's driver reads 24:00:00 as 23:59:59.999999999
          String raw = rs.getString(idx);
          return raw != null && raw.startsWith("24:") ? timeText(raw) : t;
        }
        return t;
      }
      if (c.jdbcType() == java.sql.Types.DATE) {
        java.time.LocalDate d = rs.getObject(idx, java.time.LocalDate.class);
        return d != null && (d.equals(java.time.LocalDate.MAX) || d.equals(java.time.LocalDate.MIN))
            ? infinite(rs, idx, d)
            : d;
      }
    } catch (SQLException | RuntimeException e) {
      // no java.time decoding in this driver (or a negative MariaDB TIME): its text
      if (c.jdbcType() == java.sql.Types.TIME) {
        String raw = rs.getString(idx);
        return raw == null ? null : timeText(raw);
      }
    }
    Object v = rs.getObject(idx);
    if (v instanceof Boolean && mysql) {
      // MariaDB's driver hands TINYINT(1) (and BIT(1)) over as a boolean: 2 became true, and a
      // PostgreSQL smallint 1 against it read as 1 and true. Its number; a boolean's canonical
      // text is 1 or 0 (CrossEngineTinyIntTest).
      int n = rs.getInt(idx);
      return rs.wasNull() ? null : (Object) (long) n;
    }
    if (v instanceof java.sql.Array a) {
      // its elements (H2's toString names the array object: "ar0: ARRAY [1, 2]")
      Object[] elements = elements(a);
      String dims = aux > 0 ? rs.getString(aux) : null;
      return dims == null || DEFAULT_BOUNDS.matcher(dims).matches()
          ? elements
          : Values.canonicalText(elements) + dims;
    }
    if (v instanceof java.sql.SQLXML x) {
      String text = x.getString();
      try {
        x.free();
      } catch (SQLException | UnsupportedOperationException ignored) {
        // nothing held
      }
      return text;
    }
    if (v instanceof byte[] b && TableShape.isJson(c) && !binary(c)) {
      // H2 hands a JSON column over as its UTF-8 bytes (hex-encoded, no document parsed)
      return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
    return v;
  }

  /** The {@code array_dims} of an array whose every dimension starts at 1: [1:2], [1:2][1:3]. */
  private static final java.util.regex.Pattern DEFAULT_BOUNDS =
      java.util.regex.Pattern.compile("(?:\\[1:\\d+])+");

  /**
   * A timetz read as an OffsetTime, but 24:00:00 as its text (see {@link #readValue}): the driver
   * reads it as OffsetTime.MAX (23:59:59.999999999-18:00, which no PostgreSQL timetz is) in text
   * transfer and fails in binary transfer, where its text is read from the column's {@link
   * #auxExpr} (index aux; 0: the column's own text).
   */
  private static Object offsetTime(ResultSet rs, int idx, int aux) throws SQLException {
    java.time.OffsetTime t;
    RuntimeException failure = null;
    try {
      t = rs.getObject(idx, java.time.OffsetTime.class);
    } catch (java.time.DateTimeException e) {
      t = null;
      failure = e;
    }
    if (failure != null || java.time.OffsetTime.MAX.equals(t)) {
      String raw = rs.getString(aux > 0 ? aux : idx);
      if (raw != null && raw.startsWith("24:")) {
        return zonedTimeText(raw);
      }
      if (failure != null) {
        throw failure;
      }
    }
    return t;
  }

  /**
   * A timetz's text as OffsetTime#toString writes one, the time as {@link #timeText} writes it:
   * 24:00:00+00 as 24:00Z, 24:00:00+05:30 as 24:00+05:30, 24:00:00-03:00:15 as 24:00-03:00:15.
   */
  static String zonedTimeText(String raw) {
    String s = raw.trim();
    int sign = Math.max(s.indexOf('+'), s.indexOf('-'));
    if (sign <= 0) {
      return raw;
    }
    try {
      return timeText(s.substring(0, sign)) + java.time.ZoneOffset.of(s.substring(sign));
    } catch (java.time.DateTimeException e) {
      return raw;
    }
  }

  /** A value read as {@link #readValue} reads it, with no {@link #auxExpr} (a key's). */
  Object readValue(ResultSet rs, int idx, Column c) throws SQLException {
    return readValue(rs, idx, c, 0);
  }

  private static final java.util.regex.Pattern DATE_TEXT =
      java.util.regex.Pattern.compile("(-?\\d{4,})-(\\d\\d)-(\\d\\d)(?:[ T].*)?");

  /** Whether MariaDB's text of a DATE, DATETIME or TIMESTAMP names a day of the calendar. */
  static boolean validDate(String raw) {
    java.util.regex.Matcher m = DATE_TEXT.matcher(raw);
    if (!m.matches()) {
      return true;
    }
    int month = Integer.parseInt(m.group(2));
    int day = Integer.parseInt(m.group(3));
    return month >= 1
        && month <= 12
        && day >= 1
        && day <= java.time.YearMonth.of(Integer.parseInt(m.group(1)), month).lengthOfMonth();
  }

  private static boolean binary(Column c) {
    return switch (c.jdbcType()) {
      case java.sql.Types.BINARY,
          java.sql.Types.VARBINARY,
          java.sql.Types.LONGVARBINARY,
          java.sql.Types.BLOB ->
          true;
      default -> false;
    };
  }

  /** An SQL array as nested Object[] (rendered by Values#canonicalText), elements in order. */
  private static Object[] elements(java.sql.Array a) throws SQLException {
    Object o = a.getArray();
    try {
      a.free();
    } catch (SQLException | UnsupportedOperationException ignored) {
      // nothing held
    }
    return plain(o);
  }

  /** An array (of objects or primitives) as Object[], its array elements the same. */
  private static Object[] plain(Object o) throws SQLException {
    int n = java.lang.reflect.Array.getLength(o);
    Object[] out = new Object[n];
    for (int i = 0; i < n; i++) {
      Object e = java.lang.reflect.Array.get(o, i);
      out[i] =
          e instanceof java.sql.Array inner
              ? elements(inner)
              : e != null && e.getClass().isArray() && !(e instanceof byte[]) ? plain(e) : e;
    }
    return out;
  }

  /** Whether a time's text is of hours 00 to 23 (MariaDB's TIME spans -838:59:59 to 838:59:59). */
  private static boolean withinDay(String raw) {
    int colon = raw.indexOf(':');
    return !raw.startsWith("-") && colon > 0 && colon <= 2 && raw.compareTo("24") < 0;
  }

  private static final java.util.regex.Pattern TIME_TEXT =
      java.util.regex.Pattern.compile("(-?)(\\d+):(\\d\\d)(?::(\\d\\d)(?:\\.(\\d{1,9}))?)?");

  /**
   * A time no LocalTime is (24:00:00, MariaDB's 838:59:59 or -01:00:00) written as
   * LocalTime#toString writes one: 24:00:00 and 24:00:00.000000 are both 24:00, 12:00:00.500000 is
   * 12:00:00.500.
   */
  static String timeText(String raw) {
    java.util.regex.Matcher m = TIME_TEXT.matcher(raw.trim());
    if (!m.matches()) {
      return raw;
    }
    String hours = m.group(2).length() < 2 ? "0" + m.group(2) : m.group(2);
    StringBuilder sb = new StringBuilder(m.group(1)).append(hours).append(':').append(m.group(3));
    int seconds = m.group(4) == null ? 0 : Integer.parseInt(m.group(4));
    String fraction = m.group(5) == null ? "" : m.group(5).replaceAll("0+$", "");
    if (seconds == 0 && fraction.isEmpty()) {
      return sb.toString();
    }
    sb.append(':').append(m.group(4));
    if (!fraction.isEmpty()) {
      int digits = fraction.length() <= 3 ? 3 : fraction.length() <= 6 ? 6 : 9;
      sb.append('.').append(fraction).append("0".repeat(digits - fraction.length()));
    }
    return sb.toString();
  }

  /**
   * PostgreSQL's 'infinity' and '-infinity' arrive as the extreme java.time values, which a finite
   * value of another engine (H2's 999999999-12-31) also is: those two words when the server says
   * so.
   */
  private static Object infinite(ResultSet rs, int idx, Object extreme) throws SQLException {
    String raw = rs.getString(idx);
    return "infinity".equals(raw) || "-infinity".equals(raw) ? raw : extreme;
  }

  @Override
  Object readKey(ResultSet rs, int idx, Column c) throws SQLException {
    if (dialect instanceof PostgresDialect
        && SERVER_TEXT_KEYS.contains(c.typeName().toLowerCase(java.util.Locale.ROOT))) {
      // As the SQL path reads them (their text): the driver's objects print otherwise (an
      // interval's "0 years 0 mons 5 days ...", money as a double, 50.0), so a row lost on a
      // copy of each kind met no other in the users-at-risk roll-up, and a money key bound back
      // as a double failed the copy ("operator does not exist: money >= double precision").
      // Regression (review 2 of session 26).
      return rs.getString(idx);
    }
    Object v = readValue(rs, idx, c);
    if (v instanceof String s && dialect instanceof MySqlDialect) {
      String[] text = textColumns().get(c.name().toLowerCase(java.util.Locale.ROOT));
      if (text != null && foreign(text[0]) != null) {
        v = MySqlDialect.readLossless(s);
      }
    }
    if (v instanceof String s && TableShape.isFixedChar(c)) {
      return unpad(s);
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger i && i.bitLength() < 64) {
      return i.longValue();
    }
    return v;
  }

  private static final java.util.regex.Pattern TIME =
      java.util.regex.Pattern.compile(
          "(\\d{4}-\\d\\d-\\d\\d)[ T](\\d\\d:\\d\\d(?::\\d\\d(?:\\.\\d{1,9})?)?)\\s*(Z|[+-]\\d\\d(?::?\\d\\d)?)?");

  /**
   * A "?" placeholder carries no type, so a watermark given as text (UTC, optional offset) is bound
   * as a time: comparing a timestamp column with text fails on PostgreSQL. It is cut to the
   * column's fractional digits first: a column of fewer digits stores a write's time cut (MariaDB)
   * or rounded (PostgreSQL), so a row written at 12:00:00.7 into a DATETIME(0), after a watermark
   * of 12:00:00.3, holds 12:00:00 and read as written before it (a false CHANGED against a backup
   * taken at 12:00:00.3). Cut, not rounded: a row written in the watermark's own unit counts as
   * written after it, so it is never reported as a difference the backup should have held.
   */
  @Override
  Object watermarkValue(String watermark, Column c) {
    boolean temporal =
        c.jdbcType() == java.sql.Types.TIMESTAMP
            || c.jdbcType() == java.sql.Types.TIMESTAMP_WITH_TIMEZONE
            || c.jdbcType() == java.sql.Types.DATE;
    java.util.regex.Matcher m = TIME.matcher(watermark.trim());
    if (!temporal || !m.matches()) {
      return watermark;
    }
    java.time.LocalDateTime local = java.time.LocalDateTime.parse(m.group(1) + "T" + m.group(2));
    String off = m.group(3);
    java.time.ZoneOffset offset =
        off == null || off.equals("Z") ? java.time.ZoneOffset.UTC : java.time.ZoneOffset.of(off);
    java.time.OffsetDateTime t =
        local.atOffset(offset).withOffsetSameInstant(java.time.ZoneOffset.UTC);
    int digits = fractionalDigits(c);
    if (digits >= 0 && digits < 9) {
      long unit = (long) Math.pow(10, 9 - digits);
      t = t.withNano((int) (t.getNano() - t.getNano() % unit));
    }
    return c.jdbcType() == java.sql.Types.TIMESTAMP_WITH_TIMEZONE ? t : t.toLocalDateTime();
  }

  private Integer fractionalDigits;

  /** The column's fractional second digits as the driver describes it (-1 when unknown). */
  private int fractionalDigits(Column c) {
    if (fractionalDigits == null) {
      fractionalDigits =
          inTransaction(
              () -> {
                try (PreparedStatement ps =
                        conn.prepareStatement(
                            "SELECT " + q(c.name()) + " FROM " + table + " WHERE 1 = 0");
                    ResultSet rs = ps.executeQuery()) {
                  int scale = rs.getMetaData().getScale(1);
                  return scale >= 0 && scale <= 9 ? scale : -1;
                }
              });
    }
    return fractionalDigits;
  }

  @Override
  String placeholder(Column c) {
    if (dialect instanceof MySqlDialect) {
      String[] text = textColumns().get(c.name().toLowerCase(java.util.Locale.ROOT));
      String enumType = enumColumns.get(c.name().toLowerCase(java.util.Locale.ROOT));
      if (text == null) {
        return MySqlDialect.keyPlaceholder(c, null, false, null, enumType);
      } else {
        return MySqlDialect.keyPlaceholder(
            c,
            foreign(text[0]),
            "ascii".equals(text[0]),
            text[1] == null ? null : MySqlDialect.identifier(text[1]),
            enumType);
      }
    }
    return "?";
  }

  @Override
  void bind(PreparedStatement ps, int idx, Object value, Column c) throws SQLException {
    if (value instanceof Long l && c != null && c.bool() && !(dialect instanceof MySqlDialect)) {
      // a boolean key's number (Values#keyAsRead): PostgreSQL compares no boolean with a bigint
      ps.setBoolean(idx, l != 0);
    } else if (value instanceof Float f && dialect instanceof MySqlDialect) {
      // a PostgreSQL real key looked up in a MariaDB FLOAT column: as its exact double, as
      // MariaDB widens the column's value (bound as a float, 0.1 matched no row, and the changed
      // row named no column: KeyFormAcrossCopiesTest)
      ps.setDouble(idx, f.doubleValue());
    } else if (value instanceof Long l
        && c != null
        && dialect instanceof PostgresDialect
        && "oid".equalsIgnoreCase(c.typeName())) {
      // untyped: compared as an oid, on the key's index (as a bigint, the column is cast)
      ps.setObject(idx, l.toString(), java.sql.Types.OTHER);
    } else if (value instanceof BigInteger i) {
      ps.setBigDecimal(idx, new BigDecimal(i));
    } else if (value instanceof String s && c != null && !c.textual()) {
      bindText(ps, idx, s, c);
    } else if (value instanceof String s
        && c != null
        && dialect instanceof PostgresDialect
        && !PLAIN_TEXT.contains(c.typeName().toLowerCase(java.util.Locale.ROOT))) {
      // text of a type the driver calls VARCHAR (an enum, a domain): untyped, the server reads it
      // as the column's type. As a varchar, "operator does not exist: color >= character varying"
      // failed the copy once a row differed (KeyFormAcrossCopiesTest).
      ps.setObject(idx, s, java.sql.Types.OTHER);
    } else {
      ps.setObject(idx, value);
    }
  }

  /** PostgreSQL key types read as the server's text (an untyped parameter when bound back). */
  private static final java.util.Set<String> SERVER_TEXT_KEYS =
      java.util.Set.of("interval", "money");

  /** PostgreSQL's own text types, bound as text. */
  private static final java.util.Set<String> PLAIN_TEXT =
      java.util.Set.of(
          "text", "varchar", "character varying", "bpchar", "character", "char", "name");

  /**
   * Text for a column of another type, bound as the column's type: a one-user audit's user of an
   * owner column that {@link io.integrityauditor.engine.Values#ownerValue} leaves as text (uuid,
   * date, ...), or a backup's watermark on a column that is not a timestamp (an epoch number).
   * PostgreSQL compares no integer, numeric or uuid column with a varchar parameter ({@code integer
   * = character varying}: the audit failed, CrossEngineOneUserTest).
   */
  private void bindText(PreparedStatement ps, int idx, String s, Column c) throws SQLException {
    try {
      switch (c.jdbcType()) {
        case java.sql.Types.TINYINT,
            java.sql.Types.SMALLINT,
            java.sql.Types.INTEGER,
            java.sql.Types.BIGINT ->
            ps.setLong(idx, Long.parseLong(s.trim()));
        case java.sql.Types.DECIMAL, java.sql.Types.NUMERIC ->
            ps.setBigDecimal(idx, new BigDecimal(s.trim()));
        default -> {
          if (dialect instanceof PostgresDialect) {
            // an untyped parameter: the server reads it as the column's type (uuid, date, ...)
            ps.setObject(idx, s, java.sql.Types.OTHER);
          } else {
            ps.setString(idx, s);
          }
        }
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "'" + s + "' is not a value of column " + c.name() + " (" + c.typeName() + ")");
    }
  }

  @Override
  String ownerBytesPlaceholder(Column owner) {
    if (!(dialect instanceof MySqlDialect)) {
      return null;
    }
    String[] text = textColumns().get(owner.name().toLowerCase(java.util.Locale.ROOT));
    return text == null ? null : MySqlDialect.ownerBytes(text[1]);
  }

  @Override
  protected java.util.function.Predicate<String> textHolds(Column c) {
    if (dialect instanceof MySqlDialect) {
      String[] text = textColumns().get(c.name().toLowerCase(java.util.Locale.ROOT));
      return text == null ? null : MySqlDialect.holds(text[0]);
    }
    return super.textHolds(c);
  }

  @Override
  String textExpr(String expr, Column c) {
    return expr;
  }

  @Override
  boolean rowComparison() {
    return false;
  }

  @Override
  String intDiv(String expr, long divisor) {
    throw new UnsupportedOperationException("hashed in the JVM");
  }

  /**
   * A value's canonical text; a JSON column's as a document (see Values#canonicalJson), a CHAR(n)
   * column's without its padding.
   */
  private static String text(Object v, Column c) {
    if (v == null) {
      return null;
    }
    if (v instanceof java.time.LocalDate d && TableShape.dateAsTimestamp(c)) {
      // against a timestamp on another side (TableShape#dateDrift): its midnight, as that reads
      return Values.canonicalText(d.atStartOfDay());
    }
    if (v instanceof BigDecimal d && TableShape.trimmedScale(c)) {
      // declared with another scale on another side (TableShape#scaleDrift)
      return d.stripTrailingZeros().toPlainString();
    }
    String text = Values.canonicalText(v);
    if (TableShape.isJson(c)) {
      return Values.canonicalJson(text);
    }
    return TableShape.isFixedChar(c) ? unpad(text) : text;
  }

  /** Without trailing spaces (U+0020 only: CHAR(n) pads with those). */
  private static String unpad(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == ' ') {
      end--;
    }
    return s.substring(0, end);
  }

  /**
   * The key columns, the compared columns ({@link #readExpr}), the owner column, then the {@link
   * #auxExpr} of the compared columns that have one ({@link #auxColumns}).
   */
  private List<String> selectColumns() {
    List<String> cols = new ArrayList<>();
    for (int i = 0; i < shape.key().size(); i++) {
      cols.add(keyReadExpr(keyExprs().get(i), shape.key().get(i)));
    }
    for (Column c : shape.compared()) {
      cols.add(readExpr(c));
    }
    cols.add(shape.owner() == null ? "NULL" : q(shape.owner().name()));
    for (Column c : shape.compared()) {
      String aux = auxExpr(c);
      if (aux != null) {
        cols.add(aux);
      }
    }
    return cols;
  }

  private String selectList() {
    return String.join(", ", selectColumns());
  }

  private int[] auxColumns;

  /**
   * For each compared column, the index in the row of its {@link #auxExpr}, 0 when it has none:
   * they follow the owner column, in the compared columns' order.
   */
  private int[] auxColumns() {
    if (auxColumns == null) {
      int[] out = new int[shape.compared().size()];
      int next = shape.key().size() + shape.compared().size() + 2;
      for (int i = 0; i < out.length; i++) {
        out[i] = auxExpr(shape.compared().get(i)) == null ? 0 : next++;
      }
      auxColumns = out;
    }
    return auxColumns;
  }

  /**
   * What a PostgreSQL compared column's value also needs, selected after the owner column, or null.
   * An array's {@code array_dims} (text: '[0:1]' for '[0:1]={5,6}', NULL for an empty array): the
   * driver reads an array's elements, not its lower bounds, and in binary transfer not even its
   * text keeps them ({5,6} for '[0:1]={5,6}'). A timetz's text: in binary transfer the driver reads
   * no 24:00:00 (a text column is sent as text whatever the transfer), read only for that value.
   */
  private String auxExpr(Column c) {
    if (!(dialect instanceof PostgresDialect)) {
      return null;
    }
    String col = q(c.name());
    String type = c.typeName().toLowerCase(java.util.Locale.ROOT);
    if (type.endsWith("[]")) {
      return "array_dims(" + col + ")";
    }
    if (type.equals("timetz")
        || (type.startsWith("time ") || type.startsWith("time("))
            && type.endsWith("with time zone")) {
      return "CAST(" + col + " AS text)";
    }
    return null;
  }

  /**
   * How a compared column is selected: as itself, but for types whose driver decoding loses what
   * the value is. PostgreSQL's object identifiers as their qualified identity, not relative to
   * search_path; its money as numeric (the driver reads money as a double: 10.10 as 10.1, and fails
   * on 12,345,678.90). MariaDB's FLOAT widened to DOUBLE, exactly (its text protocol sends FLOAT
   * with six significant digits: 1.2345678 as 1.23457, 16777217 as 16777200); its ascii text
   * through latin1, one character per byte (the server sends a byte 0x80-0xFF of an ascii column as
   * '?': X'61FF62' and X'61E962' both read 'a?b'; pure ASCII text is unchanged); text of another
   * character set converted losslessly ({@link MySqlDialect#lossless}).
   */
  private String readExpr(Column c) {
    String col = q(c.name());
    String type = c.typeName().toLowerCase(java.util.Locale.ROOT);
    if (dialect instanceof PostgresDialect) {
      String identity = PostgresDialect.pathFreeText(col, c.typeName());
      if (identity != null) {
        return identity;
      }
      if (type.startsWith("numeric") && type.endsWith("[]")) {
        // its elements' text: the driver reads them as BigDecimal, which NaN and ±Infinity are
        // not (review 7 of session 24); numeric text keeps digits and scale, as BigDecimal does
        return "CAST(" + col + " AS text[])";
      }
      return type.equals("money") ? "CAST(" + col + " AS numeric)" : col;
    }
    if (dialect instanceof MySqlDialect) {
      if (type.startsWith("float")) {
        return "CAST(" + col + " AS DOUBLE)";
      }
      Integer bits = bitColumns().get(c.name().toLowerCase(java.util.Locale.ROOT));
      if (bits != null) {
        // its n-digit bit string, as PostgreSQL's bit(n) reads (review 6 of session 24: read as
        // bytes, BIT(8) b'00000101' was hex 05 against 00000101, every row CHANGED)
        return "LPAD(BIN(" + col + "), " + bits + ", '0')";
      }
      String[] text = textColumns().get(c.name().toLowerCase(java.util.Locale.ROOT));
      if (text != null && "ascii".equals(text[0])) {
        return "CONVERT(CONVERT(CAST(" + col + " AS BINARY) USING latin1) USING utf8mb4)";
      }
      if (text != null && foreign(text[0]) != null) {
        return MySqlDialect.lossless(col, foreign(text[0]), MySqlDialect.LOSS_MARK);
      }
    }
    return col;
  }

  private java.util.Map<String, String[]> textColumns;

  private java.util.Map<String, Integer> bitColumns;

  /** This MariaDB/MySQL table's ENUM columns, by lower-case name: their type (read with text). */
  private final java.util.Map<String, String> enumColumns = new java.util.HashMap<>();

  /** This MariaDB/MySQL table's BIT columns, by lower-case name: their width. */
  private java.util.Map<String, Integer> bitColumns() {
    if (bitColumns == null) {
      readColumns();
    }
    return bitColumns;
  }

  /**
   * This MariaDB/MySQL table's text columns, by lower-case name: their character set and collation.
   */
  private java.util.Map<String, String[]> textColumns() {
    if (textColumns == null) {
      readColumns();
    }
    return textColumns;
  }

  /** {@link #textColumns} and {@link #bitColumns}, from one read of the catalog. */
  private void readColumns() {
    java.util.Map<String, String[]> text = new java.util.HashMap<>();
    java.util.Map<String, Integer> bits = new java.util.HashMap<>();
    inTransaction(
        () -> {
          try (PreparedStatement ps =
              conn.prepareStatement(
                  "SELECT COLUMN_NAME, CHARACTER_SET_NAME, COLLATION_NAME, DATA_TYPE,"
                      + " NUMERIC_PRECISION, COLUMN_TYPE FROM information_schema.COLUMNS"
                      + " WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?")) {
            ps.setString(1, shape.schema());
            ps.setString(2, shape.name());
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                String name = rs.getString(1).toLowerCase(java.util.Locale.ROOT);
                if (rs.getString(2) != null) {
                  text.put(name, new String[] {rs.getString(2), rs.getString(3)});
                }
                if ("enum".equalsIgnoreCase(rs.getString(4))) {
                  enumColumns.put(name, rs.getString(6));
                }
                if ("bit".equalsIgnoreCase(rs.getString(4))) {
                  bits.put(name, Math.max(1, rs.getInt(5)));
                }
              }
            }
          }
          return null;
        });
    textColumns = text;
    bitColumns = bits;
  }

  private static final ThreadLocal<CanonicalEncoding.RowHasher> HASHER =
      ThreadLocal.withInitial(CanonicalEncoding.RowHasher::new);

  /**
   * Hashes the row at the cursor; the compared columns start after the key columns. The encoding is
   * streamed into the hash ({@link CanonicalEncoding.RowHasher}), a binary value as its hex without
   * a hex String: the row's text built whole held six to eight copies of each value (an identical
   * 15 MB bytea against a LONGBLOB failed the audit under a 128 MB heap).
   */
  private long hashRow(ResultSet rs) throws SQLException {
    int first = shape.key().size() + 1;
    CanonicalEncoding.RowHasher hasher = HASHER.get();
    for (int i = 0; i < shape.compared().size(); i++) {
      Column c = shape.compared().get(i);
      Object v = readValue(rs, first + i, c, auxColumns()[i]);
      byte[] bytes = binaryValue(v, c);
      if (bytes != null) {
        countBytes(2L * bytes.length);
        hasher.addHex(bytes);
      } else if (v != null && TableShape.isJson(c)) {
        // a document, streamed (Values#hashCanonicalJson)
        String raw = Values.canonicalText(v);
        count(raw);
        Values.hashCanonicalJson(raw, hasher);
      } else {
        String text = text(v, c);
        count(text);
        hasher.add(text);
      }
    }
    return hasher.rowHash();
  }

  /**
   * A value whose canonical text is the hex of its bytes (not a JSON column's: that is read as a
   * document), as those bytes; null for any other.
   */
  private static byte[] binaryValue(Object v, Column c) throws SQLException {
    if (TableShape.isJson(c)) {
      return null;
    }
    if (v instanceof byte[] b) {
      return b;
    }
    if (v instanceof java.sql.Blob b) {
      return b.getBytes(1, (int) b.length());
    }
    return null;
  }

  /**
   * A compared column's value as read to name the changed columns: its canonical text, but a text
   * longer than {@link DigestSource#WHOLE_VALUE_LIMIT} characters (or one that starts with the
   * digest's mark, so that no value spells another's digest) as {@link
   * CanonicalEncoding#valueDigest}, computed here without a copy of the value. Both sides of a pair
   * hashed in the JVM decide on the same canonical text, so equal values take the same form
   * whatever engine holds them. Regression: the canonical text of every changed row was held whole
   * (a 15 MB blob as 30 MB of hex, on both sides, for up to 200 rows at once).
   */
  private static String namedValue(Object v, Column c) throws SQLException {
    if (v == null) {
      return null;
    }
    byte[] bytes = binaryValue(v, c);
    if (bytes != null) {
      // hex never starts with the mark
      return 2L * bytes.length > DigestSource.WHOLE_VALUE_LIMIT
          ? CanonicalEncoding.valueDigest(bytes)
          : Values.canonicalText(bytes);
    }
    if (TableShape.isJson(c)) {
      // a document, streamed when long (Values#namedCanonicalJson)
      return Values.namedCanonicalJson(Values.canonicalText(v), DigestSource.WHOLE_VALUE_LIMIT);
    }
    String text = text(v, c);
    return text.length() > DigestSource.WHOLE_VALUE_LIMIT
            || text.startsWith(CanonicalEncoding.DIGEST_MARK)
        ? CanonicalEncoding.valueDigest(text)
        : text;
  }

  private String owner(ResultSet rs) throws SQLException {
    Object o = rs.getObject(shape.key().size() + shape.compared().size() + 1);
    return Values.ownerText(o, shape.owner());
  }

  @Override
  public PositionalDigest positionalDigest(KeyRange range, long limit, int bucketRows) {
    List<String> keys = keyExprs();
    Sql sql = new Sql();
    sql.append("SELECT ").append(selectList()).append(" FROM ").append(table).append(" WHERE ");
    rangePredicate(sql, keys, range);
    sql.append(" ORDER BY ").append(String.join(", ", keys));
    return inTransaction(
        () -> {
          List<BucketDigest> buckets = new ArrayList<>();
          Key last = null;
          try (PreparedStatement ps = prepare(sql)) {
            if (limit > 0) {
              ps.setMaxRows((int) Math.min(Integer.MAX_VALUE, limit));
            }
            ps.setFetchSize((int) (limit > 0 ? Math.min(1000, limit) : 1000));
            try (ResultSet rs = ps.executeQuery()) {
              Digest.Accumulator acc = null;
              Key first = null;
              long n = 0;
              while (rs.next()) {
                Key k = readKeyAt(rs, 1);
                if (n % bucketRows == 0) {
                  if (acc != null) {
                    buckets.add(new BucketDigest(first, acc.digest()));
                  }
                  acc = new Digest.Accumulator();
                  first = k;
                }
                acc.add(hashRow(rs));
                n++;
                if (limit > 0 && n == limit) {
                  last = k;
                }
              }
              if (acc != null) {
                buckets.add(new BucketDigest(first, acc.digest()));
              }
            }
          }
          return new PositionalDigest(buckets, last);
        });
  }

  @Override
  public List<Digest> bucketDigest(KeyRange range, Buckets buckets) {
    List<String> keys = keyExprs();
    Sql sql = new Sql();
    List<String> columns = selectColumns();
    sql.append("SELECT ").append(String.join(", ", columns));
    if (!(buckets instanceof Buckets.Starts)) {
      throw new IllegalArgumentException("arithmetic buckets are digested part by part");
    }
    boolean inSql = buckets.count() > 1;
    if (inSql) {
      sql.append(", ");
      bucketExpr(sql, keys, buckets);
    }
    sql.append(" FROM ").append(table).append(" WHERE ");
    rangePredicate(sql, keys, range);
    int bucketCol = columns.size() + 1;
    return inTransaction(
        () -> {
          List<Digest.Accumulator> acc = new ArrayList<>();
          for (int i = 0; i < buckets.count(); i++) {
            acc.add(new Digest.Accumulator());
          }
          try (PreparedStatement ps = prepare(sql)) {
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                int b;
                b = inSql ? rs.getInt(bucketCol) : 0;
                acc.get(b).add(hashRow(rs));
              }
            }
          }
          List<Digest> out = new ArrayList<>();
          for (Digest.Accumulator a : acc) {
            out.add(a.digest());
          }
          return out;
        });
  }

  @Override
  public Digest digest(KeyRange range) {
    return bucketDigest(range, new Buckets.Starts(List.of())).get(0);
  }

  /**
   * PostgreSQL and MariaDB (a pair of engines, hashed here) skip to the key in SQL; any other
   * engine's keys are read up to it, as not every database has {@code LIMIT ... OFFSET}.
   */
  @Override
  public Key keyAt(KeyRange range, long offset) {
    if (!(dialect instanceof GenericJdbcDialect)) {
      return super.keyAt(range, offset);
    }
    List<String> keys = keyExprs();
    Sql sql = new Sql();
    sql.append("SELECT ").append(String.join(", ", keys)).append(" FROM ").append(table);
    sql.append(" WHERE ");
    rangePredicate(sql, keys, range);
    sql.append(" ORDER BY ").append(String.join(", ", keys));
    return inTransaction(
        () -> {
          try (PreparedStatement ps = prepare(sql)) {
            ps.setMaxRows((int) Math.min(Integer.MAX_VALUE, offset + 1));
            ps.setFetchSize((int) Math.min(1000, offset + 1));
            try (ResultSet rs = ps.executeQuery()) {
              long n = 0;
              while (rs.next()) {
                if (n++ == offset) {
                  return readKeyAt(rs, 1);
                }
              }
            }
          }
          return null;
        });
  }

  @Override
  public Key firstKey(KeyRange range) {
    return edgeKey(range, "");
  }

  @Override
  public Key lastKey() {
    return edgeKey(KeyRange.ALL, " DESC");
  }

  private Key edgeKey(KeyRange range, String direction) {
    List<String> keys = keyExprs();
    Sql sql = new Sql();
    sql.append("SELECT ").append(String.join(", ", keys)).append(" FROM ").append(table);
    sql.append(" WHERE ");
    rangePredicate(sql, keys, range);
    sql.append(" ORDER BY ");
    for (int i = 0; i < keys.size(); i++) {
      sql.append(i > 0 ? ", " : "").append(keys.get(i)).append(direction);
    }
    return inTransaction(
        () -> {
          try (PreparedStatement ps = prepare(sql)) {
            ps.setMaxRows(1);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? readKeyAt(rs, 1) : null;
            }
          }
        });
  }

  @Override
  public void rowHashes(KeyRange range, Consumer<RowHash> sink) {
    List<String> keys = keyExprs();
    Sql sql = new Sql();
    sql.append("SELECT ").append(selectList()).append(" FROM ").append(table).append(" WHERE ");
    rangePredicate(sql, keys, range);
    bufferedRows(sql, rs -> new RowHash(readKeyAt(rs, 1), hashRow(rs), owner(rs)), sink);
  }

  @Override
  public void rowHashes(java.util.Collection<Key> wanted, Consumer<RowHash> sink) {
    for (Key k : wanted) {
      rowHashes(new KeyRange(k, true, k, true), sink);
    }
  }

  @Override
  public java.util.Map<Key, List<String>> rowValues(java.util.Collection<Key> wanted) {
    java.util.Map<Key, List<String>> out = new java.util.HashMap<>();
    for (Key k : wanted) {
      rowHashesAndValues(k, out);
    }
    return out;
  }

  private void rowHashesAndValues(Key k, java.util.Map<Key, List<String>> out) {
    KeyRange exact = new KeyRange(k, true, k, true);
    List<String> keys = keyExprs();
    Sql sql = new Sql();
    sql.append("SELECT ").append(selectList()).append(" FROM ").append(table).append(" WHERE ");
    rangePredicate(sql, keys, exact);
    inTransaction(
        () -> {
          try (PreparedStatement ps = prepare(sql);
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              Key key = readKeyAt(rs, 1);
              List<String> row = new ArrayList<>();
              for (int i = 0; i < shape.compared().size(); i++) {
                Column c = shape.compared().get(i);
                row.add(
                    namedValue(readValue(rs, shape.key().size() + 1 + i, c, auxColumns()[i]), c));
              }
              out.put(key, row);
            }
          }
          return null;
        });
  }

  @Override
  public long estimatedRows() {
    return -1;
  }
}
