package io.integrityauditor.config;

import java.util.Collection;
import java.util.regex.Pattern;

/** Keeps passwords out of logs, reports, API responses and exception messages. */
public final class Secrets {
  private static final Pattern URL_PASSWORD =
      Pattern.compile("(?i)(password|passwd|pwd)=([^&;)\\s]*)");
  private static final Pattern USERINFO = Pattern.compile("(//[^/:@\\s]+):([^@/\\s]+)@");

  private Secrets() {}

  /**
   * Names of environment variables whose values are secrets wherever the configuration uses them.
   */
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(pass|pwd|secret|token|key|cred|auth).*");

  private static final java.util.Set<String> FROM_ENVIRONMENT =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * The {@code ${VAR}} substitution of the configuration (strict: an unset variable is an error),
   * remembering the values of variables named like secrets ({@code *PASS*}, {@code *PWD*}, {@code
   * *SECRET*}, {@code *TOKEN*}, {@code *KEY*}, {@code *CRED*}, {@code *AUTH*}) wherever they are
   * used: a restore command holding {@code -p${RESTORE_PW}} printed that password in the report.
   */
  public static io.dropwizard.configuration.EnvironmentVariableSubstitutor recordingSubstitutor() {
    io.dropwizard.configuration.EnvironmentVariableSubstitutor s =
        new io.dropwizard.configuration.EnvironmentVariableSubstitutor(true);
    s.setVariableResolver(
        name -> {
          String value = System.getenv(name);
          if (value != null && !value.isEmpty() && SECRET_NAME.matcher(name).matches()) {
            FROM_ENVIRONMENT.add(value);
          }
          return value;
        });
    return s;
  }

  /** Secret values the configuration read from the environment (see recordingSubstitutor). */
  public static java.util.Set<String> fromEnvironment() {
    return java.util.Set.copyOf(FROM_ENVIRONMENT);
  }

  /** A JDBC URL with any embedded password replaced by ***. */
  public static String redactUrl(String url) {
    if (url == null) {
      return null;
    }
    String s = URL_PASSWORD.matcher(url).replaceAll("$1=***");
    return USERINFO.matcher(s).replaceAll("$1:***@");
  }

  /**
   * Whether a JDBC URL carries a password in its user info ({@code //user:pass@host}), a form
   * neither the PostgreSQL nor the MariaDB driver reads: each takes it for a host or a port and
   * quotes it in its error ("Incorrect port value : pass@127.0.0.1"), where no redaction knows it.
   */
  public static boolean hasUserInfoPassword(String url) {
    return url != null && USERINFO.matcher(url).find();
  }

  /**
   * The secrets an endpoint's settings hold: its password, passwords written into its URL ({@code
   * password=...}, user info) and driver properties named like a password.
   */
  public static java.util.List<String> of(
      String url, String password, java.util.Map<String, String> properties) {
    java.util.List<String> out = new java.util.ArrayList<>();
    out.add(password);
    if (url != null) {
      java.util.regex.Matcher m = URL_PASSWORD.matcher(url);
      while (m.find()) {
        out.add(m.group(2));
      }
      m = USERINFO.matcher(url);
      while (m.find()) {
        out.add(m.group(2));
      }
    }
    if (properties != null) {
      properties.forEach(
          (k, v) -> {
            if (k.toLowerCase(java.util.Locale.ROOT).matches(".*(password|passwd|pwd|secret).*")) {
              out.add(v);
            }
          });
    }
    return out;
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
