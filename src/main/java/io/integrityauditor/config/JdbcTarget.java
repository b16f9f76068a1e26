package io.integrityauditor.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server and database a JDBC URL points at, so that two endpoint names for the same database
 * are recognised (a restore drill must never run against a primary or a replica).
 *
 * @param scheme the JDBC subprotocol, e.g. {@code postgresql}, {@code mariadb}, {@code h2}
 * @param host the host, lower case ({@code localhost} and loopback addresses as {@code localhost})
 * @param port the port, or null when the URL has none
 * @param database the database name, or the rest of the URL for engines without host/port
 */
public record JdbcTarget(String scheme, String host, Integer port, String database) {
  private static final Pattern HOST_URL =
      Pattern.compile("jdbc:([a-z0-9]+)://([^/:?;]*)(?::(\\d+))?(?:/([^?;]*))?.*");

  /** Parses a JDBC URL; never null. */
  public static JdbcTarget of(String url) {
    if (url == null) {
      return new JdbcTarget("", "", null, "");
    }
    Matcher m = HOST_URL.matcher(url);
    if (m.matches()) {
      String scheme = m.group(1).toLowerCase(Locale.ROOT);
      if (scheme.equals("mysql")) {
        scheme = "mariadb"; // the same servers
      }
      String host = m.group(2).toLowerCase(Locale.ROOT);
      if (host.isEmpty() || host.equals("127.0.0.1") || host.equals("[::1]")) {
        host = "localhost";
      }
      Integer port = m.group(3) == null ? defaultPort(scheme) : Integer.valueOf(m.group(3));
      String db = m.group(4) == null ? "" : m.group(4);
      return new JdbcTarget(scheme, host, port, db);
    }
    int q = url.indexOf(';');
    String rest = q < 0 ? url : url.substring(0, q);
    String[] parts = rest.split(":", 3);
    return new JdbcTarget(
        parts.length > 1 ? parts[1].toLowerCase(Locale.ROOT) : "", "", null, rest);
  }

  private static Integer defaultPort(String scheme) {
    return switch (scheme) {
      case "postgresql" -> 5432;
      case "mariadb" -> 3306;
      default -> null;
    };
  }

  /** The same database on the same server. */
  public boolean sameDatabase(JdbcTarget o) {
    return scheme.equals(o.scheme)
        && host.equals(o.host)
        && java.util.Objects.equals(port, o.port)
        && database.equals(o.database);
  }
}
