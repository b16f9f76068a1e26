package io.integrityauditor.engine;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HexFormat;

/**
 * Renders JDBC values to the canonical text used by the JVM hashing path and to the normalized form
 * used for key identity. Full precision: nothing is rounded.
 */
public final class Values {
  private static final HexFormat HEX = HexFormat.of();

  private Values() {}

  private static final java.util.regex.Pattern INTEGER =
      java.util.regex.Pattern.compile("[+-]?[0-9]+");

  /**
   * A one-user audit's user as a value of the owner column's type: a Long (a BigInteger beyond 64
   * bits, for unsigned columns) for an integer column, a BigDecimal for a decimal one, else the
   * text as given. Bound as a number, never as text: MariaDB reads text compared with a number
   * column as far as it reads as a number, so {@code 'abc'} selected user 0's rows and {@code
   * '12abc'} user 12's (OwnerValueTest).
   *
   * @throws IllegalArgumentException when the text is no value of the column's type
   */
  /**
   * An owner's id as every path prints it, whatever the engine and however the copy is hashed: a
   * binary owner as lowercase hex without a prefix, a fixed-width character owner without its
   * padding; any other as read. Regression: one user of a PostgreSQL table was {@code "u1"} where a
   * PostgreSQL copy lost its row and {@code "u1 "} where a MariaDB copy did (char(10)), and {@code
   * "\\x00...01"} against {@code "00...01"} (bytea): counted twice among the users at risk; and a
   * MariaDB binary owner read with no copy to compare came out as raw bytes.
   */
  public static String ownerText(String text, Column owner) {
    if (text == null || owner == null) {
      return text;
    }
    if (binary(owner)) {
      String hex = text.startsWith("\\x") ? text.substring(2) : text;
      return hex.toLowerCase(java.util.Locale.ROOT);
    }
    if (fixedChar(owner)) {
      return text.stripTrailing();
    }
    if (TableShape.isDecimal(owner) && !text.isEmpty() && !Character.isLetter(text.charAt(0))) {
      // a decimal owner as its number without trailing fractional zeros: a copy declaring it with
      // another scale printed user 2.00 of the primary's rows as 2.0 or 2.0000 in its own
      // (review 4 of session 25)
      try {
        return new BigDecimal(text).stripTrailingZeros().toPlainString();
      } catch (NumberFormatException e) {
        return text;
      }
    }
    return text;
  }

  /** {@link #ownerText} of a value as the driver returns it. */
  public static String ownerText(Object value, Column owner) {
    return value == null ? null : ownerText(canonicalText(value), owner);
  }

  /**
   * A binary column: PostgreSQL bytea, MariaDB and MySQL BINARY, VARBINARY and BLOBs. Not H2's
   * UUID, which H2 reports as JDBC BINARY (review 2 of session 24: its owners had to be given as
   * hex without dashes, not as the auditor prints them).
   */
  static boolean binary(Column c) {
    if (uuid(c)) {
      return false;
    }
    return switch (c.jdbcType()) {
      case java.sql.Types.BINARY,
          java.sql.Types.VARBINARY,
          java.sql.Types.LONGVARBINARY,
          java.sql.Types.BLOB ->
          true;
      default -> c.typeName().equalsIgnoreCase("bytea");
    };
  }

  private static boolean uuid(Column c) {
    return c.typeName().equalsIgnoreCase("uuid");
  }

  /** A fixed-width character column, which pads its values with spaces. */
  static boolean fixedChar(Column c) {
    String t = c.typeName().toLowerCase(java.util.Locale.ROOT);
    return c.jdbcType() == java.sql.Types.CHAR
        || c.jdbcType() == java.sql.Types.NCHAR
        || t.startsWith("character(")
        || t.equals("bpchar")
        || t.equals("character");
  }

  public static Object ownerValue(String user, Column owner) {
    String s = user.trim();
    if (binary(owner)) {
      // as ownerText prints it; PostgreSQL's \x and the 0x of SQL literals accepted
      String hex =
          s.startsWith("\\x") || s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
      if (hex.length() % 2 != 0 || !hex.matches("[0-9a-fA-F]*")) {
        throw notAValue(user, owner);
      }
      return HEX.parseHex(hex);
    }
    if (uuid(owner)) {
      String hex = s.replaceAll("[{}-]", "");
      if (!hex.matches("[0-9a-fA-F]{32}")) {
        // refused here rather than by the server's cast error
        throw notAValue(user, owner);
      }
      if (owner.jdbcType() == java.sql.Types.BINARY) {
        // H2: bound as a UUID, whichever of the forms above the user was given in
        return new java.util.UUID(
            Long.parseUnsignedLong(hex.substring(0, 16), 16),
            Long.parseUnsignedLong(hex.substring(16), 16));
      }
    }
    switch (owner.jdbcType()) {
      case java.sql.Types.TINYINT,
          java.sql.Types.SMALLINT,
          java.sql.Types.INTEGER,
          java.sql.Types.BIGINT -> {
        if (!INTEGER.matcher(s).matches()) {
          throw notAValue(user, owner);
        }
        BigInteger i = new BigInteger(s);
        if (i.bitLength() < 64) {
          return i.longValue();
        }
        // beyond 64-bit signed: only an unsigned BIGINT (MariaDB, MySQL) holds it
        if (i.signum() < 0
            || i.bitLength() > 64
            || !owner.typeName().toUpperCase(java.util.Locale.ROOT).contains("UNSIGNED")) {
          throw notAValue(user, owner);
        }
        return i;
      }
      case java.sql.Types.DECIMAL, java.sql.Types.NUMERIC -> {
        try {
          return new BigDecimal(s);
        } catch (NumberFormatException e) {
          throw notAValue(user, owner);
        }
      }
      default -> {
        return user;
      }
    }
  }

  /** A user id that no value of the owner column's type can be. */
  public static final class NotAnOwnerValue extends IllegalArgumentException {
    NotAnOwnerValue(String message) {
      super(message);
    }
  }

  private static IllegalArgumentException notAValue(String user, Column owner) {
    String shown = user.length() > 100 ? user.substring(0, 100) + "..." : user;
    return new NotAnOwnerValue(
        "user '"
            + shown
            + "' is not a value of the owner column "
            + owner.name()
            + " ("
            + owner.typeName()
            + ")");
  }

  /**
   * Normalizes a key value so equal keys read by different drivers, engines and hashing flavours
   * compare equal (and are reported alike): integers as Long (BigInteger beyond 64 bits), other
   * decimals without trailing zeros, and temporal values and UUIDs in the one text every source's
   * key reads as ({@link #keyAsRead}): a timestamp as its UTC date and time {@code 2026-01-01
   * 00:00:03.123456} (with or without a zone, fraction without trailing zeros, {@code BC} after a
   * year before 1), a date as {@code 2026-01-01}, a time as {@code 00:00:03.5}, a UUID in lower
   * case. Regression: a replica hashed in SQL read a timestamptz key as {@code 2026-01-01
   * 00:00:03.123456+00} and a backup hashed in the JVM as {@code 2026-01-01T00:00:03.123456}: the
   * row lost on both matched no key and its user was not at risk.
   */
  public static Object normalizeKey(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof Boolean b) {
      // the number MariaDB's BOOLEAN (a TINYINT(1)) holds, as keyAsRead reads a boolean's text
      return b ? 1L : 0L;
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger i) {
      return i.bitLength() < 64 ? (Object) i.longValue() : i;
    }
    if (v instanceof BigDecimal d) {
      // A whole number is the integer it is, whatever the column's type: a numeric(20,0) key read
      // as a BigDecimal and the same key read from a bigint (Long) or a BIGINT UNSIGNED column
      // (BigInteger) are one key. Regression: keys of 19 and 20 digits (1000000000000000000,
      // 9223372036854775807) stayed BigDecimal and matched no Long: MISSING + EXTRA for each.
      BigDecimal s = d.stripTrailingZeros();
      if (s.scale() <= 0) {
        BigInteger i = s.toBigIntegerExact();
        return i.bitLength() < 64 ? (Object) i.longValue() : i;
      }
      return s;
    }
    if (v instanceof java.sql.Timestamp t) {
      return keyText(t.toLocalDateTime());
    }
    if (v instanceof LocalDateTime t) {
      return keyText(t);
    }
    if (v instanceof OffsetDateTime o) {
      return keyText(o.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime());
    }
    if (v instanceof ZonedDateTime z) {
      return keyText(z.withZoneSameInstant(ZoneOffset.UTC).toLocalDateTime());
    }
    if (v instanceof java.sql.Date d) {
      return keyText(d.toLocalDate());
    }
    if (v instanceof LocalDate d) {
      return keyText(d);
    }
    if (v instanceof java.sql.Time t) {
      return keyText(t.toLocalTime());
    }
    if (v instanceof LocalTime t) {
      return keyText(t);
    }
    if (v instanceof OffsetTime t) {
      return keyText(t.toLocalTime()) + offsetText(t.getOffset());
    }
    if (v instanceof java.util.UUID u) {
      return u.toString();
    }
    return canonicalText(v);
  }

  /** A date as PostgreSQL prints it in ISO style: 2026-01-01, 0044-03-15 BC, 10000-01-01. */
  static String keyText(LocalDate d) {
    int y = d.getYear();
    String day =
        String.format("%04d-%02d-%02d", y > 0 ? y : 1 - y, d.getMonthValue(), d.getDayOfMonth());
    return y > 0 ? day : day + " BC";
  }

  /** A time as PostgreSQL prints it: seconds always, the fraction without trailing zeros. */
  static String keyText(LocalTime t) {
    return String.format("%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond())
        + fraction(t.getNano());
  }

  /** A date and time as PostgreSQL prints a timestamp in ISO style: 2026-01-01 00:00:03.5. */
  static String keyText(LocalDateTime t) {
    String date = keyText(t.toLocalDate());
    String time = keyText(t.toLocalTime());
    return date.endsWith(" BC")
        ? date.substring(0, date.length() - 3) + " " + time + " BC"
        : date + " " + time;
  }

  private static String fraction(int nanos) {
    if (nanos == 0) {
      return "";
    }
    String f = String.format("%09d", nanos);
    int end = f.length();
    while (f.charAt(end - 1) == '0') {
      end--;
    }
    return "." + f.substring(0, end);
  }

  /** A zone offset as PostgreSQL prints it: +00, +05:30, -03:00:15. */
  private static String offsetText(ZoneOffset o) {
    int total = o.getTotalSeconds();
    int abs = Math.abs(total);
    StringBuilder sb =
        new StringBuilder(total < 0 ? "-" : "+").append(String.format("%02d", abs / 3600));
    if (abs % 3600 != 0) {
      sb.append(String.format(":%02d", abs / 60 % 60));
      if (abs % 60 != 0) {
        sb.append(String.format(":%02d", abs % 60));
      }
    }
    return sb.toString();
  }

  private static final java.util.regex.Pattern TIMESTAMP_TEXT =
      java.util.regex.Pattern.compile(
          "(\\d{4,})-(\\d\\d)-(\\d\\d)[ T](\\d\\d):(\\d\\d)(?::(\\d\\d)(?:\\.(\\d{1,9}))?)?"
              + "\\s*(Z|[+-]\\d\\d(?::?\\d\\d(?::?\\d\\d)?)?)?( BC)?");

  private static final java.util.regex.Pattern TIME_TEXT =
      java.util.regex.Pattern.compile("(-?)(\\d+):(\\d\\d)(?::(\\d\\d)(?:\\.(\\d{1,9}))?)?(.*)");

  private static final java.util.regex.Pattern FRACTION =
      java.util.regex.Pattern.compile("(:\\d\\d)\\.(\\d*?)0*(?!\\d)");

  /**
   * A key value as a source read it, in the form {@link #normalizeKey} gives the same value read as
   * a java.time or UUID object: a source hashing in SQL reads temporal, UUID and boolean keys as
   * the database's text, a source hashing in the JVM as objects, and MariaDB prints the column's
   * fractional digits where PostgreSQL prints only those it needs. Only text of such columns is
   * changed, to text the database reads back as the same value (it is bound in range predicates): a
   * timestamp's text becomes its UTC date and time (the sessions run in UTC), a time's has its
   * seconds and no trailing zeros, a UUID's is lower case; a boolean's is the number 1 or 0, as
   * MariaDB's BOOLEAN (a TINYINT(1)) is read (BooleanKeyTest). Text that names no such value
   * (infinity, MariaDB's zero date) keeps its words, its fraction without trailing zeros. The key's
   * order is the database's and is not changed.
   */
  public static Object keyAsRead(Object v, Column c) {
    if (!(v instanceof String s) || c == null) {
      return v;
    }
    String type = c.typeName() == null ? "" : c.typeName().toLowerCase(java.util.Locale.ROOT);
    if (c.jdbcType() == java.sql.Types.TIMESTAMP
        || c.jdbcType() == java.sql.Types.TIMESTAMP_WITH_TIMEZONE
        || type.startsWith("timestamp")
        || type.startsWith("datetime")) {
      return timestampKey(s);
    }
    if (c.jdbcType() == java.sql.Types.TIME
        || c.jdbcType() == java.sql.Types.TIME_WITH_TIMEZONE
        || type.startsWith("time")) {
      return timeKey(s);
    }
    if (type.equals("oid")) {
      // PostgreSQL's text of an oid key (the SQL path), as the JVM reads it: a number
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        return v;
      }
    }
    if (type.equals("uuid")) {
      return s.toLowerCase(java.util.Locale.ROOT);
    }
    // PostgreSQL's text of a bytea, a real, a double: as the JVM reads them (bytes, a Float, a
    // Double), so one key has one form whichever way a copy is hashed. Regression (review 2 of
    // session 20): a bytea key printed \x20 on one copy and 20 on another, a real key 1.0000002
    // and 1.000000238418579: rows lost on both copies did not meet, and no user was at risk.
    if (type.equals("bytea") && s.startsWith("\\x")) {
      try {
        return HEX.parseHex(s, 2, s.length());
      } catch (IllegalArgumentException e) {
        return v;
      }
    }
    if (type.equals("real")
        || type.equals("double precision")
        || c.jdbcType() == java.sql.Types.DOUBLE
        || c.jdbcType() == java.sql.Types.FLOAT
        || c.jdbcType() == java.sql.Types.REAL) {
      // MariaDB's DOUBLE (and FLOAT, read as its exact double) too: 5 and 1e300 in SQL, 5.0 and
      // 1.0E300 in the JVM (review 5 of session 20)
      try {
        return type.equals("real") ? (Object) Float.parseFloat(s) : (Object) Double.parseDouble(s);
      } catch (NumberFormatException e) {
        return v;
      }
    }
    if (c.bool()) {
      return switch (s.toLowerCase(java.util.Locale.ROOT)) {
        case "t", "true", "1" -> (Object) 1L;
        case "f", "false", "0" -> (Object) 0L;
        default -> smallNumber(s);
      };
    }
    return v;
  }

  /**
   * A MariaDB {@code TINYINT(1)} key's text other than 1 and 0 (it holds -128 to 127, though its
   * driver calls it a boolean): its number, as 1 and 0 are. Regression (review 2 of session 26): 2
   * was the text "2" in a key column whose 1 was the number 1.
   */
  private static Object smallNumber(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return s;
    }
  }

  static String timestampKey(String s) {
    java.util.regex.Matcher m = TIMESTAMP_TEXT.matcher(s.trim());
    if (m.matches()) {
      try {
        int year = Integer.parseInt(m.group(1));
        LocalDateTime t =
            LocalDateTime.of(
                m.group(9) != null ? 1 - year : year,
                Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)),
                Integer.parseInt(m.group(4)),
                Integer.parseInt(m.group(5)),
                m.group(6) == null ? 0 : Integer.parseInt(m.group(6)),
                m.group(7) == null
                    ? 0
                    : Integer.parseInt((m.group(7) + "00000000").substring(0, 9)));
        String off = m.group(8);
        if (off != null && !off.equals("Z")) {
          t =
              t.atOffset(ZoneOffset.of(offsetId(off)))
                  .withOffsetSameInstant(ZoneOffset.UTC)
                  .toLocalDateTime();
        }
        return keyText(t);
      } catch (java.time.DateTimeException | NumberFormatException e) {
        // no date of the calendar (MariaDB's 0000-00-00 or 2020-02-30): its text, below
      }
    }
    return trimFractions(s);
  }

  /** +05, +0530, +05:30:15 as ZoneOffset reads them: +05, +05:30, +05:30:15. */
  private static String offsetId(String off) {
    String digits = off.substring(1).replace(":", "");
    StringBuilder sb = new StringBuilder().append(off.charAt(0));
    for (int i = 0; i < digits.length(); i += 2) {
      sb.append(i > 0 ? ":" : "").append(digits, i, i + 2);
    }
    return sb.toString();
  }

  static String timeKey(String s) {
    java.util.regex.Matcher m = TIME_TEXT.matcher(s.trim());
    if (!m.matches()) {
      return s;
    }
    String hours = m.group(2).length() < 2 ? "0" + m.group(2) : m.group(2);
    String frac = m.group(5) == null ? "" : m.group(5).replaceAll("0+$", "");
    return m.group(1)
        + hours
        + ":"
        + m.group(3)
        + ":"
        + (m.group(4) == null ? "00" : m.group(4))
        + (frac.isEmpty() ? "" : "." + frac)
        + m.group(6);
  }

  /** The text with every fraction of a second written without trailing zeros. */
  private static String trimFractions(String s) {
    java.util.regex.Matcher m = FRACTION.matcher(s);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String digits = m.group(2);
      m.appendReplacement(
          sb,
          java.util.regex.Matcher.quoteReplacement(
              m.group(1) + (digits.isEmpty() ? "" : "." + digits)));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /**
   * Parses JSON values of any size: Jackson's default limits (numbers of 1,000 digits, strings of
   * 20,000,000 characters, member names of 50,000) made such a document unparseable, so it was
   * compared as its raw text. Regression: a PostgreSQL jsonb holding a 1,001-digit number (jsonb
   * prints 1e1000 in full) against its MariaDB copy holding {@code 1E+1000} was a false CHANGED.
   * Nesting keeps Jackson's limit of 1,000 levels (the document is written back recursively); a
   * deeper document is compared as its text.
   */
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper(
              com.fasterxml.jackson.core.JsonFactory.builder()
                  .streamReadConstraints(
                      com.fasterxml.jackson.core.StreamReadConstraints.builder()
                          .maxNumberLength(Integer.MAX_VALUE)
                          .maxStringLength(Integer.MAX_VALUE)
                          .maxNameLength(Integer.MAX_VALUE)
                          .build())
                  .build())
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          // Decimals as written: the default node factory strips trailing zeros (1.0 -> 1).
          .setNodeFactory(
              com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

  /**
   * A JSON document as one text whatever its formatting: no whitespace, object members sorted by
   * name (the last of duplicates kept, as PostgreSQL's jsonb does), numbers in plain decimal with
   * their digits and scale (1.0 and 1.00 stay different; 1e2 is 100, as jsonb stores it), strings
   * with their escapes resolved. Two engines store JSON differently (jsonb reorders and reformats,
   * MariaDB keeps the text as written), so a copy in another engine is compared document to
   * document. Text that does not parse is returned as it is.
   */
  public static String canonicalJson(String text) {
    com.fasterxml.jackson.databind.JsonNode node = parseJson(text);
    if (node == null) {
      return text;
    }
    StringBuilder sb = new StringBuilder(text.length());
    try {
      writeJson(node, sb::append);
    } catch (java.io.IOException e) {
      return text;
    }
    return sb.toString();
  }

  /**
   * Adds a JSON column's {@link #canonicalJson} to a row's hash without building it: its length is
   * counted in one walk of the document and its text streamed into the hash in a second. Regression
   * (review 3 of session 24): a 15 MB JSON value compared across engines was held as its text, its
   * document, the canonical text being built, that text and each string's escaped copy at once: out
   * of memory under -Xmx128m, where text and binary values of that size are hashed in pieces.
   */
  public static void hashCanonicalJson(String text, CanonicalEncoding.RowHasher hasher) {
    com.fasterxml.jackson.databind.JsonNode node = parseJson(text);
    if (node == null) {
      hasher.add(text);
      return;
    }
    try {
      long[] codePoints = {0};
      writeJson(node, piece -> codePoints[0] += piece.codePointCount(0, piece.length()));
      hasher.addPieces(codePoints[0], piecesOf(node));
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      throw new IllegalStateException("JSON value could not be written: " + e.getMessage(), e);
    }
  }

  /**
   * A JSON column's value where values are read to name the changed columns: its {@link
   * #canonicalJson} when that is at most {@code limit} characters (and does not start with {@link
   * CanonicalEncoding#DIGEST_MARK}), else {@link CanonicalEncoding#valueDigest} of it, streamed
   * from the document without building the text. Text that is no JSON document, by the same rule.
   * Regression: a 15.7 MB document changed on a copy of another engine was read on both sides at
   * once as its text, its document and its canonical text being built (out of memory under
   * -Xmx128m; equal documents, hashed streamed, were CONSISTENT).
   */
  public static String namedCanonicalJson(String text, int limit) {
    com.fasterxml.jackson.databind.JsonNode node = parseJson(text);
    if (node == null) {
      return text.length() > limit || text.startsWith(CanonicalEncoding.DIGEST_MARK)
          ? CanonicalEncoding.valueDigest(text)
          : text;
    }
    try {
      StringBuilder head = new StringBuilder();
      long[] length = {0};
      writeJson(
          node,
          piece -> {
            length[0] += piece.length();
            if (length[0] <= limit) {
              head.append(piece);
            }
          });
      if (length[0] <= limit && !head.toString().startsWith(CanonicalEncoding.DIGEST_MARK)) {
        return head.toString();
      }
      return CanonicalEncoding.valueDigestOfPieces(piecesOf(node));
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      throw new IllegalStateException("JSON value could not be written: " + e.getMessage(), e);
    }
  }

  /** A document's canonical text, handed piece by piece to the sink it is given. */
  private static java.util.function.Consumer<java.util.function.Consumer<String>> piecesOf(
      com.fasterxml.jackson.databind.JsonNode node) {
    return sink -> {
      try {
        writeJson(node, sink::accept);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
  }

  private static com.fasterxml.jackson.databind.JsonNode parseJson(String text) {
    try {
      com.fasterxml.jackson.databind.JsonNode node = JSON.readTree(text);
      return node == null || node.isMissingNode() ? null : node;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  /** Where canonical JSON goes, piece by piece; a piece never splits a surrogate pair. */
  private interface JsonOut {
    void text(String piece) throws java.io.IOException;
  }

  /** Strings longer than this are escaped piece by piece (the same text: escapes are per char). */
  private static final int JSON_PIECE = 8192;

  private static void writeJsonString(String s, JsonOut out) throws java.io.IOException {
    if (s.length() <= JSON_PIECE) {
      out.text(JSON.writeValueAsString(s));
      return;
    }
    out.text("\"");
    for (int i = 0; i < s.length(); ) {
      int end = Math.min(s.length(), i + JSON_PIECE);
      if (end < s.length() && Character.isHighSurrogate(s.charAt(end - 1))) {
        end--;
      }
      String quoted = JSON.writeValueAsString(s.substring(i, end));
      out.text(quoted.substring(1, quoted.length() - 1));
      i = end;
    }
    out.text("\"");
  }

  /** Numbers whose plain decimal text would be longer than this are written in a compact form. */
  public static final long PLAIN_NUMBER_LIMIT = 10_000;

  /**
   * A JSON number as plain decimal text ({@code 1e2} is 100, {@code 1.50} keeps its scale), or,
   * when that text would exceed {@link #PLAIN_NUMBER_LIMIT} characters, a form as exact and as
   * unique that spells the exponent: an integer as its digits without trailing zeros, {@code e} and
   * their count; a fraction as its digits, {@code e-} and its scale. Regression: {@code
   * 1e999999999} (valid JSON, 11 characters, which a MariaDB JSON column accepts) was written out
   * as a billion digits, and the audit ran out of memory. The length decides by the number's plain
   * text, so two spellings of one number take the same form ({@code 1e10000}, {@code 10.0e9999} and
   * 10,001 digits written out).
   */
  static String plainNumber(java.math.BigDecimal d) {
    long scale = d.scale();
    long length;
    if (d.signum() == 0) {
      length = scale <= 0 ? 1 : scale + 2; // 0 (0e3 too, and -0), 0.000
    } else {
      long digits = d.precision();
      length =
          (d.signum() < 0 ? 1 : 0)
              + (scale <= 0 ? digits - scale : Math.max(digits, scale + 1) + 1);
    }
    if (length <= PLAIN_NUMBER_LIMIT) {
      return d.toPlainString();
    }
    if (scale > 0) {
      return d.unscaledValue() + "e-" + scale;
    }
    java.math.BigDecimal stripped = d.stripTrailingZeros();
    return stripped.unscaledValue() + "e" + (-stripped.scale());
  }

  private static void writeJson(com.fasterxml.jackson.databind.JsonNode n, JsonOut out)
      throws java.io.IOException {
    if (n.isObject()) {
      java.util.TreeMap<String, com.fasterxml.jackson.databind.JsonNode> sorted =
          new java.util.TreeMap<>();
      n.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
      out.text("{");
      boolean first = true;
      for (var e : sorted.entrySet()) {
        if (!first) {
          out.text(",");
        }
        first = false;
        writeJsonString(e.getKey(), out);
        out.text(":");
        writeJson(e.getValue(), out);
      }
      out.text("}");
    } else if (n.isArray()) {
      out.text("[");
      for (int i = 0; i < n.size(); i++) {
        if (i > 0) {
          out.text(",");
        }
        writeJson(n.get(i), out);
      }
      out.text("]");
    } else if (n.isNumber()) {
      out.text(
          plainNumber(
              n.isIntegralNumber()
                  ? new java.math.BigDecimal(n.bigIntegerValue())
                  : n.decimalValue()));
    } else if (n.isTextual()) {
      writeJsonString(n.textValue(), out);
    } else {
      out.text(JSON.writeValueAsString(n));
    }
  }

  /**
   * The canonical text of a non-null value. Timestamps with a zone are rendered in UTC with full
   * fractional precision; binary values in lower-case hex; numbers exactly as stored (scale kept);
   * booleans as 1 and 0.
   */
  public static String canonicalText(Object v) {
    if (v instanceof Boolean b) {
      // as a number: MariaDB's BOOLEAN is a TINYINT(1) holding 1 or 0
      return b ? "1" : "0";
    }
    if (v instanceof byte[] b) {
      return HEX.formatHex(b);
    }
    if (v instanceof BigDecimal d) {
      return d.toPlainString();
    }
    if (v instanceof Double d) {
      return Double.toString(d);
    }
    if (v instanceof Float f) {
      // widened to double, as MariaDB's FLOAT is read (CAST(f AS DOUBLE)): one float32 value, one
      // text, whichever engine holds it (1.2345678 is 1.2345677614212036)
      return Double.toString(f.doubleValue());
    }
    if (v instanceof java.sql.Timestamp t) {
      return t.toLocalDateTime().toString();
    }
    if (v instanceof java.sql.Date d) {
      return d.toLocalDate().toString();
    }
    if (v instanceof java.sql.Time t) {
      return t.toLocalTime().toString();
    }
    if (v instanceof OffsetDateTime o) {
      return o.withOffsetSameInstant(ZoneOffset.UTC).toString();
    }
    if (v instanceof ZonedDateTime z) {
      return z.withZoneSameInstant(ZoneOffset.UTC).toOffsetDateTime().toString();
    }
    if (v instanceof Clob c) {
      try {
        return c.getSubString(1, (int) c.length());
      } catch (SQLException e) {
        throw new IllegalStateException("cannot read CLOB", e);
      }
    }
    if (v instanceof Blob b) {
      try {
        return HEX.formatHex(b.getBytes(1, (int) b.length()));
      } catch (SQLException e) {
        throw new IllegalStateException("cannot read BLOB", e);
      }
    }
    if (v instanceof java.util.UUID u) {
      return u.toString();
    }
    if (v instanceof Object[] arr) {
      StringBuilder sb = new StringBuilder("[");
      for (Object o : arr) {
        sb.append(CanonicalEncoding.encode(o == null ? null : canonicalText(o)));
      }
      return sb.append(']').toString();
    }
    return v.toString();
  }
}
