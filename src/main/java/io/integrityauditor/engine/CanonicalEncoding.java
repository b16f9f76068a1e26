package io.integrityauditor.engine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The unambiguous row encoding: every column is either {@code N} (SQL NULL) or {@code <n>:<text>}
 * where n is the number of Unicode code points of the text. Because every value carries its own
 * length, no separator or escaping is needed and {@code NULL}, {@code ''}, {@code 'NULL'}, {@code
 * ('a|','b')} and {@code ('a','|b')} all encode differently. The MariaDB dialect builds the same
 * encoding in SQL; the JVM path (generic dialect) builds it here.
 */
public final class CanonicalEncoding {
  private CanonicalEncoding() {}

  /** Encodes one column's canonical text ({@code null} for SQL NULL). */
  public static String encode(String text) {
    if (text == null) {
      return "N";
    }
    return text.codePointCount(0, text.length()) + ":" + text;
  }

  /** Encodes a whole row from the canonical text of each column. */
  public static String encodeRow(List<String> columns) {
    StringBuilder sb = new StringBuilder();
    for (String c : columns) {
      sb.append(encode(c));
    }
    return sb.toString();
  }

  /**
   * The 64-bit row hash of the JVM path: the first 8 bytes of SHA-256 of the UTF-8 encoding, as a
   * signed long.
   */
  public static long rowHash(String encodedRow) {
    byte[] d = sha256().digest(encodedRow.getBytes(StandardCharsets.UTF_8));
    long h = 0;
    for (int i = 0; i < 8; i++) {
      h = (h << 8) | (d[i] & 0xff);
    }
    return h;
  }

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException(e);
            }
          });

  private static MessageDigest sha256() {
    MessageDigest md = SHA256.get();
    md.reset();
    return md;
  }
}
