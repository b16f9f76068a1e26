package io.integrityauditor.report;

/** HTML escaping: everything from the database or config goes through {@link #esc}. */
final class Html {
  private Html() {}

  /** Text or attribute value, safe inside elements and double- or single-quoted attributes. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> {
          // control characters other than tab and newlines have no business in a report
          if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            b.append('\uFFFD');
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  /**
   * Values from the database listed in one run of text (user ids), each escaped and in a {@code
   * <bdi>} of its own, so that one holding a right-to-left override does not reverse how the others
   * read. Regression (review 7 of session 21): "u1001, u1002" after a user "0\u202e" read "1001u,
   * 2001u", in reverse order.
   */
  static String isolated(java.util.List<String> values) {
    StringBuilder b = new StringBuilder();
    for (String v : values) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append("<bdi>").append(esc(v)).append("</bdi>");
    }
    return b.toString();
  }
}
