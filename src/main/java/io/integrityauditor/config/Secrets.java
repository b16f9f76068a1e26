package io.integrityauditor.config;

import java.util.Collection;
import java.util.regex.Pattern;

/** Keeps passwords out of logs, reports, API responses and exception messages. */
public final class Secrets {
  private static final Pattern URL_PASSWORD =
      Pattern.compile("(?i)(password|passwd|pwd)=([^&;)\\s]*)");
  private static final Pattern USERINFO = Pattern.compile("(//[^/:@\\s]+):([^@/\\s]+)@");

  private Secrets() {}

  /** A JDBC URL with any embedded password replaced by ***. */
  public static String redactUrl(String url) {
    if (url == null) {
      return null;
    }
    String s = URL_PASSWORD.matcher(url).replaceAll("$1=***");
    return USERINFO.matcher(s).replaceAll("$1:***@");
  }

  /** A message with URL passwords and every known secret value replaced by ***. */
  public static String redact(String message, Collection<String> secrets) {
    if (message == null) {
      return null;
    }
    String s = redactUrl(message);
    for (String secret : secrets) {
      if (secret != null && secret.length() >= 3) {
        s = s.replace(secret, "***");
      }
    }
    return s;
  }
}
