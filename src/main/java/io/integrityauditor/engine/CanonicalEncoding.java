package io.integrityauditor.engine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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
    return first64(sha256().digest(encodedRow.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The row hash of {@link #rowHash(String)} over {@link #encodeRow}, with the encoding streamed
   * into the SHA-256 column by column: no copy of a value is made (a byte[] is written as hex in
   * chunks, a text as UTF-8 in chunks), where building the row's text took six to eight copies of
   * each value at once (an identical 15 MB bytea against a LONGBLOB ran a 128 MB heap out of
   * memory). The digest is over exactly the bytes of {@code encodeRow(...).getBytes(UTF_8)}: row
   * hashes do not change. One per thread; not reentrant.
   */
  public static final class RowHasher {
    private final MessageDigest md = newSha256();
    private final byte[] buf = new byte[2 * CHUNK];

    /** A column holding SQL NULL. */
    public void addNull() {
      md.update((byte) 'N');
    }

    /** A column's canonical text ({@code null} for SQL NULL). */
    public void add(String text) {
      if (text == null) {
        addNull();
        return;
      }
      ascii(text.codePointCount(0, text.length()) + ":");
      utf8(md, text);
    }

    /**
     * A column whose canonical text of {@code codePoints} code points the writer hands over in
     * pieces (none splitting a surrogate pair): hashed as {@link #add} would hash their
     * concatenation, without it.
     */
    public void addPieces(
        long codePoints, java.util.function.Consumer<java.util.function.Consumer<String>> writer) {
      ascii(codePoints + ":");
      writer.accept(piece -> utf8(md, piece));
    }

    /** A binary column, whose canonical text is its bytes in lower-case hex. */
    public void addHex(byte[] bytes) {
      ascii(2L * bytes.length + ":");
      hex(md, buf, bytes);
    }

    /** The row hash of the columns added since the last call; starts the next row. */
    public long rowHash() {
      return first64(md.digest());
    }

    private void ascii(String s) {
      for (int i = 0; i < s.length(); i++) {
        md.update((byte) s.charAt(i));
      }
    }
  }

  /**
   * A long value's stand-in where values are read to name the changed columns: {@link #DIGEST_MARK}
   * and the SHA-256 (lower-case hex) of its canonical text's UTF-8, streamed.
   */
  public static String valueDigest(String text) {
    MessageDigest md = sha256();
    utf8(md, text);
    return DIGEST_MARK + HexFormat.of().formatHex(md.digest());
  }

  /**
   * {@link #valueDigest(String)} of a text given piece by piece to the sink {@code writer} is
   * handed (no piece splitting a surrogate pair): the same digest, without the text.
   */
  public static String valueDigestOfPieces(
      java.util.function.Consumer<java.util.function.Consumer<String>> writer) {
    MessageDigest md = sha256();
    writer.accept(piece -> utf8(md, piece));
    return DIGEST_MARK + HexFormat.of().formatHex(md.digest());
  }

  /** {@link #valueDigest(String)} of a binary value's canonical text (its hex). */
  public static String valueDigest(byte[] bytes) {
    MessageDigest md = sha256();
    hex(md, new byte[2 * CHUNK], bytes);
    return DIGEST_MARK + HexFormat.of().formatHex(md.digest());
  }

  /** What starts a {@link #valueDigest}. */
  public static final String DIGEST_MARK = "sha256:";

  /** Characters (or bytes) encoded per piece when streaming. */
  private static final int CHUNK = 8192;

  private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /**
   * The UTF-8 of {@code s}, piece by piece, exactly as {@code s.getBytes(UTF_8)}: a piece never
   * ends between the two halves of a surrogate pair (encoded apart, each would become '?'); an
   * unpaired surrogate becomes '?' as it does in the whole string.
   */
  private static void utf8(MessageDigest md, String s) {
    int n = s.length();
    for (int i = 0; i < n; ) {
      int end = Math.min(n, i + CHUNK);
      if (end < n && Character.isHighSurrogate(s.charAt(end - 1))) {
        end--;
      }
      md.update(s.substring(i, end).getBytes(StandardCharsets.UTF_8));
      i = end;
    }
  }

  private static void hex(MessageDigest md, byte[] buf, byte[] bytes) {
    int half = buf.length / 2;
    for (int i = 0; i < bytes.length; i += half) {
      int end = Math.min(bytes.length, i + half);
      int o = 0;
      for (int j = i; j < end; j++) {
        buf[o++] = HEX_DIGITS[(bytes[j] >> 4) & 0xf];
        buf[o++] = HEX_DIGITS[bytes[j] & 0xf];
      }
      md.update(buf, 0, o);
    }
  }

  private static long first64(byte[] d) {
    long h = 0;
    for (int i = 0; i < 8; i++) {
      h = (h << 8) | (d[i] & 0xff);
    }
    return h;
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(CanonicalEncoding::newSha256);

  private static MessageDigest sha256() {
    MessageDigest md = SHA256.get();
    md.reset();
    return md;
  }
}
