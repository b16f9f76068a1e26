package io.integrityauditor.engine;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.SQLException;
import java.time.OffsetDateTime;
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
  public static Object ownerValue(String user, Column owner) {
    String s = user.trim();
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

  private static IllegalArgumentException notAValue(String user, Column owner) {
    String shown = user.length() > 100 ? user.substring(0, 100) + "..." : user;
    return new IllegalArgumentException(
        "user '"
            + shown
            + "' is not a value of the owner column "
            + owner.name()
            + " ("
            + owner.typeName()
            + ")");
  }

  /** Normalizes a key value so equal keys read by different drivers compare equal. */
  public static Object normalizeKey(Object v) {
    if (v == null) {
      return null;
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
    return canonicalText(v);
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper()
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
    try {
      com.fasterxml.jackson.databind.JsonNode node = JSON.readTree(text);
      if (node == null || node.isMissingNode()) {
        return text;
      }
      StringBuilder sb = new StringBuilder(text.length());
      writeJson(node, sb);
      return sb.toString();
    } catch (java.io.IOException e) {
      return text;
    }
  }

  private static void writeJson(com.fasterxml.jackson.databind.JsonNode n, StringBuilder sb)
      throws java.io.IOException {
    if (n.isObject()) {
      java.util.TreeMap<String, com.fasterxml.jackson.databind.JsonNode> sorted =
          new java.util.TreeMap<>();
      n.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
      sb.append('{');
      boolean first = true;
      for (var e : sorted.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        sb.append(JSON.writeValueAsString(e.getKey())).append(':');
        writeJson(e.getValue(), sb);
      }
      sb.append('}');
    } else if (n.isArray()) {
      sb.append('[');
      for (int i = 0; i < n.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        writeJson(n.get(i), sb);
      }
      sb.append(']');
    } else if (n.isNumber()) {
      sb.append(
          n.isIntegralNumber() ? n.bigIntegerValue().toString() : n.decimalValue().toPlainString());
    } else {
      sb.append(JSON.writeValueAsString(n));
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
