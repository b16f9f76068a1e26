package io.integrityauditor.engine;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Writes a key as text that reads back to the same bindable values (a checkpoint must bind its last
 * key exactly as the database returned it). Each value is tagged with its Java type; a type not
 * listed here cannot be checkpointed ({@link #encode} returns null).
 */
public final class KeyCodec {
  private static final HexFormat HEX = HexFormat.of();

  private KeyCodec() {}

  /** The key as tagged text values, or null when one of its values has no exact text form. */
  public static List<String> encode(Key key) {
    List<String> out = new ArrayList<>(key.size());
    for (Object v : key.values()) {
      String s = encodeValue(v);
      if (s == null) {
        return null;
      }
      out.add(s);
    }
    return out;
  }

  private static String encodeValue(Object v) {
    if (v == null) {
      return "0:";
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return "L:" + ((Number) v).longValue();
    }
    if (v instanceof BigInteger i) {
      return "I:" + i;
    }
    if (v instanceof BigDecimal d) {
      return "D:" + d.toString();
    }
    if (v instanceof String s) {
      return "S:" + s;
    }
    if (v instanceof byte[] b) {
      return "B:" + HEX.formatHex(b);
    }
    if (v instanceof UUID u) {
      return "U:" + u;
    }
    if (v instanceof java.sql.Timestamp t) {
      return "T:" + t.toLocalDateTime();
    }
    if (v instanceof java.sql.Date d) {
      return "d:" + d.toLocalDate();
    }
    if (v instanceof java.time.LocalDateTime t) {
      return "t:" + t;
    }
    if (v instanceof java.time.OffsetDateTime t) {
      return "O:" + t;
    }
    // floats by their bits, so NaN, -0 and every last digit read back as they were (review 5 of
    // session 20: real and double keys had no form, and their tables took no chunk checkpoint)
    if (v instanceof Float f) {
      return "F:" + Integer.toHexString(Float.floatToRawIntBits(f));
    }
    if (v instanceof Double d) {
      return "R:" + Long.toHexString(Double.doubleToRawLongBits(d));
    }
    return null;
  }

  /** The key {@link #encode} wrote. */
  public static Key decode(List<String> encoded) {
    List<Object> values = new ArrayList<>(encoded.size());
    for (String s : encoded) {
      values.add(decodeValue(s));
    }
    return new Key(values);
  }

  private static Object decodeValue(String s) {
    if (s.length() < 2 || s.charAt(1) != ':') {
      throw new IllegalArgumentException("not an encoded key value: " + s);
    }
    String v = s.substring(2);
    return switch (s.charAt(0)) {
      case '0' -> null;
      case 'L' -> Long.parseLong(v);
      case 'I' -> new BigInteger(v);
      case 'D' -> new BigDecimal(v);
      case 'S' -> v;
      case 'B' -> HEX.parseHex(v);
      case 'U' -> UUID.fromString(v);
      case 'T' -> java.sql.Timestamp.valueOf(java.time.LocalDateTime.parse(v));
      case 'd' -> java.sql.Date.valueOf(java.time.LocalDate.parse(v));
      case 't' -> java.time.LocalDateTime.parse(v);
      case 'O' -> java.time.OffsetDateTime.parse(v);
      case 'F' -> Float.intBitsToFloat(Integer.parseUnsignedInt(v, 16));
      case 'R' -> Double.longBitsToDouble(Long.parseUnsignedLong(v, 16));
      default -> throw new IllegalArgumentException("not an encoded key value: " + s);
    };
  }
}
