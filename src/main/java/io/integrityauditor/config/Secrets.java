package io.integrityauditor.config;

import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/** Keeps passwords out of logs, reports, API responses and exception messages. */
public final class Secrets {
  /** A password parameter's key: {@code password=}, {@code sslpassword=}, {@code pwd=}, ... */
  private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password|passwd|pwd)=");

  private static final Pattern USERINFO = Pattern.compile("(//[^/:@\\s]+):([^@/\\s]+)@");

  private Secrets() {}

  /**
   * Names of environment variables whose values are secrets wherever the configuration uses them.
   */
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(pass|pwd|secret|token|key|cred|auth).*|(.*_)?pw(_.*)?");

  /** Whether an environment variable's name says its value is a secret (SECRET_NAME). */
  static boolean secretName(String name) {
    return SECRET_NAME.matcher(name).matches();
  }

  private static final java.util.Set<String> FROM_ENVIRONMENT =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * The {@code ${VAR}} substitution of the configuration (strict: an unset variable is an error),
   * remembering the values of variables named like secrets ({@code *PASS*}, {@code *PWD*}, {@code
   * *SECRET*}, {@code *TOKEN*}, {@code *KEY*}, {@code *CRED*}, {@code *AUTH*}, and {@code PW} as a
   * word: {@code RESTORE_PW}, {@code PW_1}) wherever they are used: a restore command holding
   * {@code -p${RESTORE_PW}} printed that password in the report (the README's own example, until
   * {@code _PW} counted).
   */
  public static io.dropwizard.configuration.EnvironmentVariableSubstitutor recordingSubstitutor() {
    io.dropwizard.configuration.EnvironmentVariableSubstitutor s =
        new io.dropwizard.configuration.EnvironmentVariableSubstitutor(true) {
          @Override
          public String replace(String source) {
            String text;
            try {
              text = super.replace(source);
            } catch (io.dropwizard.configuration.UndefinedEnvironmentVariableException e) {
              throw UnsetVariable.of(e, source);
            }
            if (text != null) {
              IN_FILE.addAll(writtenInFile(text));
            }
            return text;
          }
        };
    s.setVariableResolver(
        name -> {
          String value = System.getenv(name);
          if (value != null && !value.isEmpty() && secretName(name)) {
            FROM_ENVIRONMENT.add(value);
          }
          return value;
        });
    return s;
  }

  /**
   * A {@code ${VAR}} whose variable is not set, with the line that uses it. Regression: {@code
   * check} printed commons-text's "Cannot resolve variable 'X' (enableSubstitutionInVariables=
   * false).", {@code audit} the exception's class before it, and {@code server} a stack trace; none
   * named the field.
   */
  public static final class UnsetVariable
      extends io.dropwizard.configuration.UndefinedEnvironmentVariableException {
    UnsetVariable(String message) {
      super(message);
    }

    static RuntimeException of(RuntimeException e, String source) {
      java.util.regex.Matcher m =
          Pattern.compile("variable '([^']+)'").matcher(String.valueOf(e.getMessage()));
      if (!m.find()) {
        return e;
      }
      String name = m.group(1);
      int at = source.indexOf("${" + name);
      if (at < 0) {
        return new UnsetVariable("environment variable " + name + " is not set");
      }
      int line = 1;
      for (int i = 0; i < at; i++) {
        if (source.charAt(i) == '\n') {
          line++;
        }
      }
      int start = source.lastIndexOf('\n', at) + 1;
      int end = source.indexOf('\n', at);
      String text = source.substring(start, end < 0 ? source.length() : end).strip();
      return new UnsetVariable(
          "environment variable "
              + name
              + " is not set (an unset ${VAR} is an error, not an empty value): line "
              + line
              + ": "
              + text);
    }
  }

  private static final java.util.Set<String> IN_FILE =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * The value of a key named like a secret ({@code password}, {@code smtpPassword}, {@code token},
   * {@code secret}, ...) in YAML text, block or flow style: quoted (an unclosed quote runs to the
   * end of the line), or plain, taken both up to a flow separator and up to the end of the line
   * (either may be the value: the text may not parse, which is when it is needed).
   */
  private static final Pattern SECRET_KEY_VALUE =
      Pattern.compile(
          "(?i)[a-z_]*(?:password|passwd|pwd|secret|token|passphrase)[a-z_]*[\"']?\\s*:[ \\t]+"
              + "(?:\"((?:[^\"\\\\\\n]|\\\\.)*)|'((?:[^'\\n]|'')*)|([^\\s,}\\]#][^,}\\]\\n]*)"
              + "|([^\\s#][^\\n]*))");

  /** A URL's password parameter or user-info password in YAML text. */
  private static final Pattern URL_SECRET =
      Pattern.compile("(?i)(?:password|passwd|pwd)=([^&\\s\"']+)|//[^/:@\\s]+:([^@/\\s\"']+)@");

  /**
   * The secrets written in a configuration's text, whether or not it parses: values of keys named
   * like secrets, and URL passwords ({@link #redactConfigurationError}).
   */
  static java.util.Set<String> writtenInFile(String text) {
    java.util.Set<String> found = new java.util.HashSet<>();
    java.util.regex.Matcher m = SECRET_KEY_VALUE.matcher(text);
    while (m.find()) {
      java.util.List<String> values = new java.util.ArrayList<>();
      for (int g = 1; g <= 4; g++) {
        values.add(m.group(g));
      }
      if (m.group(3) != null) {
        int eol = text.indexOf('\n', m.start(3));
        values.add(text.substring(m.start(3), eol < 0 ? text.length() : eol));
      }
      for (String v : values) {
        if (v != null) {
          // a plain value ends before a comment; a line's value before trailing blanks
          int comment = v.indexOf(" #");
          v = (comment >= 0 ? v.substring(0, comment) : v).strip();
          if (v.length() >= 3) {
            found.add(v);
          }
        }
      }
    }
    m = URL_SECRET.matcher(text);
    while (m.find()) {
      String v = m.group(1) != null ? m.group(1) : m.group(2);
      if (v.length() >= 3) {
        found.add(v);
        found.add(decode(v));
      }
    }
    return found;
  }

  /** Secret values the configuration read from the environment (see recordingSubstitutor). */
  public static java.util.Set<String> fromEnvironment() {
    return java.util.Set.copyOf(FROM_ENVIRONMENT);
  }

  /**
   * A message about a configuration that could not be read (a YAML syntax error, a value of the
   * wrong type), with URL passwords and every secret read from the environment replaced by ***.
   * Regression: {@code ${VAR}} substitution happens before parsing, so SnakeYAML's snippet of a
   * malformed line showed the substituted value ({@code password: "EnvSecret_Zq7" user: ...}) on
   * {@code audit}, {@code check} and {@code server}. The snippet cuts a long line to a window
   * marked {@code " ... "} at either end: a secret cut there is redacted too.
   *
   * <p>Jackson's own location line ({@code at [Source: UNKNOWN; byte offset: #UNKNOWN] (through
   * reference chain: io.integrityauditor.IntegrityAuditorConfiguration["audit"]->...)}) and its
   * {@code Cannot construct instance of `io.dropwizard.util.Duration`, problem:} are left out: the
   * message already names the field ({@code at: audit.statementTimeout}), and they only name
   * classes of this program.
   */
  public static String redactConfigurationError(String message) {
    if (message == null) {
      return null;
    }
    java.util.Set<String> secrets = new java.util.HashSet<>(fromEnvironment());
    secrets.addAll(IN_FILE);
    String plain = JACKSON_LOCATION.matcher(message).replaceAll("");
    String s = redact(JACKSON_NOISE.matcher(plain).replaceAll(""), secrets);
    for (String secret : secrets) {
      for (int k = secret.length() - 1; k >= 3; k--) {
        s = s.replace("... " + secret.substring(secret.length() - k), "... ***");
        s = s.replace(secret.substring(0, k) + " ...", "*** ...");
      }
    }
    return s;
  }

  private static final Pattern JACKSON_LOCATION = Pattern.compile("\\R at \\[Source: [^\\r\\n]*");
  private static final Pattern JACKSON_NOISE =
      Pattern.compile("Cannot construct instance of `[\\w.$]+`, problem: ");

  /** A JDBC URL with any embedded password replaced by ***. */
  public static String redactUrl(String url) {
    if (url == null) {
      return null;
    }
    String s = redactParameters(url, false, null);
    return USERINFO.matcher(s).replaceAll("$1:***@");
  }

  /**
   * Replaces the value of every password parameter in {@code s} by ***, adding the values to {@code
   * found} (when not null). Where a value ends depends on how its parameter was introduced: after
   * {@code ?} or {@code &} (a query parameter) at the next {@code &}, which is the only separator
   * pgjdbc and MariaDB Connector/J split parameters on; after {@code ;} (H2's {@code ;PASSWORD=})
   * at the next {@code ;}; after {@code (} at the next {@code )}. Regression: the value stopped at
   * {@code ;} and {@code )} in every form, and {@code ?password=Ab)cdSecret9} was shown as {@code
   * password=***)cdSecret9} in reports, the API, logs and the state database.
   *
   * <p>In a message ({@code inMessage}) the URL is quoted among other words, so a value also ends
   * at whitespace, and a value already redacted ({@code ***}, the secrets known by value are
   * replaced first) is left as it is.
   */
  private static String redactParameters(String s, boolean inMessage, List<String> found) {
    java.util.regex.Matcher m = URL_PASSWORD.matcher(s);
    StringBuilder out = new StringBuilder();
    int copied = 0;
    int from = 0;
    while (from < s.length() && m.find(from)) {
      int key = m.start();
      while (key > 0 && isKeyChar(s.charAt(key - 1))) {
        key--; // sslpassword=, ssl.password=
      }
      char introducer = key > 0 ? s.charAt(key - 1) : '?';
      String ends = introducer == ';' ? ";" : introducer == '(' ? ")" : "&";
      int start = m.end();
      int end = start;
      while (end < s.length()
          && ends.indexOf(s.charAt(end)) < 0
          && !(inMessage && Character.isWhitespace(s.charAt(end)))) {
        end++;
      }
      if (!(inMessage && s.startsWith("***", start))) {
        if (found != null) {
          found.add(s.substring(start, end));
        }
        out.append(s, copied, start).append("***");
        copied = end;
      }
      from = Math.max(end, start + 1);
    }
    return out.append(s, Math.min(copied, s.length()), s.length()).toString();
  }

  private static boolean isKeyChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.';
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
      List<String> inUrl = new java.util.ArrayList<>();
      redactParameters(url, false, inUrl);
      for (String v : inUrl) {
        out.add(v);
        // pgjdbc decodes parameters: a%29b is the password a)b
        String decoded = decode(v);
        if (!decoded.equals(v)) {
          out.add(decoded);
        }
      }
      java.util.regex.Matcher m = USERINFO.matcher(url);
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
    String s = message;
    // Known values first, longest first: a URL's password is known whole, while the message's
    // own password= parameter can only end at whitespace or '&' (see redactParameters).
    List<String> known = new java.util.ArrayList<>();
    for (String secret : secrets) {
      if (secret != null && secret.length() >= 3) {
        known.add(secret);
      }
    }
    known.sort(java.util.Comparator.comparingInt(String::length).reversed());
    for (String secret : known) {
      s = s.replace(secret, "***");
    }
    s = redactParameters(s, true, null);
    return USERINFO.matcher(s).replaceAll("$1:***@");
  }

  private static String decode(String s) {
    try {
      return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}
