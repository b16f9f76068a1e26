package io.integrityauditor.config;

import java.net.InetAddress;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The servers and database a JDBC URL points at, so that two endpoint names for the same database
 * are recognised (a restore drill must never run against a primary or a replica).
 *
 * <p>Recognised forms: {@code jdbc:<scheme>://host[:port][,host[:port]...]/database[?...]} for any
 * scheme, with IPv6 hosts in brackets ({@code [::1]:5432}), user info ({@code user:pw@host})
 * ignored and the driver's default port filled in (PostgreSQL 5432, MariaDB and MySQL 3306);
 * PostgreSQL's host-less {@code jdbc:postgresql:database} (localhost:5432) and its {@code host},
 * {@code port} and {@code dbname} ({@code PGHOST}, {@code PGPORT}, {@code PGDBNAME}) URL
 * parameters, which override the URL's; MariaDB's and MySQL's modes ({@code
 * jdbc:mariadb:replication://}, {@code sequential}, {@code loadbalance}, ...) and {@code
 * address=(host=...)(port=...)} hosts. {@code mysql} and {@code mariadb} are one scheme. Other URLs
 * without {@code //} (H2's {@code mem:}, {@code file:}, ...) are compared as a whole, less {@code
 * ;} parameters.
 *
 * <p>Two targets are the same database ({@link #sameDatabase}) when their schemes and databases
 * match and they reach a common server: hosts are compared lower case, with {@code localhost},
 * {@code 127.0.0.1}, {@code ::1}, {@code [::1]}, {@code 0:0:0:0:0:0:0:1} (every loopback and
 * wildcard address) as one host, and IPv6 literals in a canonical form.
 *
 * <p>Conservative where it cannot be sure, so that a restore is refused rather than run into a
 * primary: when the servers cannot be read with confidence (a PostgreSQL {@code service}, a MariaDB
 * {@code localSocket} or {@code pipe}, an unreadable host or port, MySQL's DNS {@code +srv}, host
 * and port lists of different lengths), {@link #serversKnown()} is false and the target is taken to
 * be the same database as any target of its scheme with the same database name; a URL without a
 * database (PostgreSQL then uses the user's name) may be any database of a server it reaches.
 *
 * <p>Not recognised: two names for one machine (a DNS name and its address, the machine's own name
 * for {@code localhost}), servers given outside the URL (connection properties, {@code PGHOST} and
 * the like in the environment), other drivers' schemes for one engine ({@code jdbc:pgsql:}, {@code
 * jdbc:tc:...}).
 *
 * @param scheme the JDBC subprotocol, lower case, e.g. {@code postgresql}, {@code mariadb} (also
 *     for {@code mysql}), {@code h2}
 * @param servers the servers the URL can reach, in the URL's order (the first is the one a restore
 *     command gets as {@code {host}} and {@code {port}}); empty for URLs without servers
 * @param serversKnown false when {@link #servers} may miss where the URL actually connects (or the
 *     URL has no servers): such a target is compared by scheme and database only
 * @param database the database name ({@code ""} when the URL names none: unknown), or the URL less
 *     its {@code ;} parameters for URLs without {@code //}
 */
public record JdbcTarget(
    String scheme, List<Server> servers, boolean serversKnown, String database) {

  /**
   * One host and port of a URL.
   *
   * @param host the host as written, without an IPv6 address's brackets
   * @param port the port, the engine's default when the URL has none, or null when the engine has
   *     no default
   */
  public record Server(String host, Integer port) {
    /** The host and port compared: loopback addresses as {@code localhost}, lower case. */
    String key() {
      return normalHost(host) + ":" + (port == null ? "" : port.toString());
    }
  }

  private static final Pattern HEAD = Pattern.compile("([a-z0-9]+)(\\+srv)?(?::[a-z-]+)?");
  private static final Pattern ADDRESS_PART = Pattern.compile("\\(\\s*([a-zA-Z]+)\\s*=([^)]*)\\)");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(?:\\.\\d{1,3}){3}");
  private static final Set<String> LOOPBACK_NAMES =
      Set.of("", "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "0.0.0.0");

  public JdbcTarget {
    servers = List.copyOf(servers);
  }

  /** The first server's host, without brackets, or {@code ""}. */
  public String host() {
    return servers.isEmpty() ? "" : servers.get(0).host();
  }

  /** The first server's port (the default port when the URL has none), or null. */
  public Integer port() {
    return servers.isEmpty() ? null : servers.get(0).port();
  }

  /** Parses a JDBC URL; never null, never throws. */
  public static JdbcTarget of(String url) {
    if (url == null) {
      return new JdbcTarget("", List.of(), false, "");
    }
    if (!url.regionMatches(true, 0, "jdbc:", 0, 5)) {
      return new JdbcTarget("", List.of(), false, cut(url, ';'));
    }
    int slashes = url.indexOf("://");
    if (slashes > 5) {
      Matcher head = HEAD.matcher(url.substring(5, slashes).toLowerCase(Locale.ROOT));
      if (head.matches()) {
        return hostForm(scheme(head.group(1)), head.group(2) != null, url.substring(slashes + 3));
      }
    }
    String rest = url.substring(5);
    int colon = rest.indexOf(':');
    String scheme = scheme(colon < 0 ? rest : rest.substring(0, colon));
    if (scheme.equals("postgresql") && colon >= 0) {
      return postgresHostless(rest.substring(colon + 1));
    }
    return new JdbcTarget(scheme, List.of(), false, cut(url, ';'));
  }

  /** The same database on the same server (conservatively: see the class comment). */
  public boolean sameDatabase(JdbcTarget o) {
    if (!scheme.equals(o.scheme)) {
      return false;
    }
    if (!database.isEmpty() && !o.database.isEmpty()) {
      // MariaDB compares names case-insensitively where lower_case_table_names is set
      boolean same =
          scheme.equals("mariadb")
              ? database.equalsIgnoreCase(o.database)
              : database.equals(o.database);
      if (!same) {
        return false;
      }
    }
    if (!serversKnown || !o.serversKnown) {
      return true;
    }
    Set<String> mine = new HashSet<>();
    servers.forEach(s -> mine.add(s.key()));
    return o.servers.stream().anyMatch(s -> mine.contains(s.key()));
  }

  /**
   * Surely the same database: unlike {@link #sameDatabase}, which takes what it cannot read for the
   * same (a restore must never run into a primary), only when both URLs' servers are known and the
   * same set and their databases are named alike. A replica or a primary's URL listing several
   * hosts, a socket, a service or no database is not taken for another's database.
   */
  public boolean surelySameDatabase(JdbcTarget o) {
    if (!scheme.equals(o.scheme)
        || !serversKnown
        || !o.serversKnown
        || database.isEmpty()
        || !database.equals(o.database)) {
      return false;
    }
    Set<String> mine = new HashSet<>();
    servers.forEach(s -> mine.add(s.key()));
    Set<String> theirs = new HashSet<>();
    o.servers.forEach(s -> theirs.add(s.key()));
    return !mine.isEmpty() && mine.equals(theirs);
  }

  private static String scheme(String s) {
    String scheme = s.toLowerCase(Locale.ROOT);
    return scheme.equals("mysql") ? "mariadb" : scheme; // the same servers
  }

  private static Integer defaultPort(String scheme) {
    return switch (scheme) {
      case "postgresql" -> 5432;
      case "mariadb" -> 3306;
      default -> null;
    };
  }

  /** {@code rest} is what follows {@code ://}. */
  private static JdbcTarget hostForm(String scheme, boolean srv, String rest) {
    int q = rest.indexOf('?');
    String query = q < 0 ? "" : rest.substring(q + 1);
    String path = q < 0 ? rest : rest.substring(0, q);
    int slash = indexOutsideParentheses(path, '/');
    String authority = cut(slash < 0 ? path : path.substring(0, slash), ';');
    String database = slash < 0 ? "" : cut(path.substring(slash + 1), ';');
    boolean known = !srv;
    List<Server> servers = new ArrayList<>();
    for (String spec : splitOutsideParentheses(authority)) {
      known &= parseServer(spec, defaultPort(scheme), servers);
    }
    if (scheme.equals("postgresql")) {
      return postgresParameters(decode(database), servers, known, query);
    }
    if (scheme.equals("mariadb")) {
      for (String[] kv : parameters(query)) {
        if (kv[0].equalsIgnoreCase("localSocket") || kv[0].equalsIgnoreCase("pipe")) {
          known = false; // a local socket or named pipe, not the host of the URL
        }
      }
    }
    return new JdbcTarget(scheme, servers, known, database);
  }

  /** {@code jdbc:postgresql:database}: pgjdbc connects to localhost:5432. */
  private static JdbcTarget postgresHostless(String rest) {
    int q = rest.indexOf('?');
    String database = cut(q < 0 ? rest : rest.substring(0, q), ';');
    boolean known = true;
    if (database.startsWith("/")) {
      // jdbc:postgresql:/db is no pgjdbc URL: whatever it means, it is not sure
      database = database.replaceFirst("^/+", "");
      known = false;
    }
    return postgresParameters(
        decode(database),
        new ArrayList<>(List.of(new Server("localhost", 5432))),
        known,
        q < 0 ? "" : rest.substring(q + 1));
  }

  /**
   * pgjdbc's URL parameters {@code host}, {@code port} and {@code dbname} (any case) or {@code
   * PGHOST}, {@code PGPORT} and {@code PGDBNAME} override the URL's; a {@code service} is read from
   * a file this class does not read.
   */
  private static JdbcTarget postgresParameters(
      String database, List<Server> servers, boolean known, String query) {
    String hosts = null;
    String ports = null;
    for (String[] kv : parameters(query)) {
      String k = kv[0];
      String v = decode(kv[1]);
      if (k.equalsIgnoreCase("host") || k.equals("PGHOST")) {
        hosts = v;
      } else if (k.equalsIgnoreCase("port") || k.equals("PGPORT")) {
        ports = v;
      } else if (k.equalsIgnoreCase("dbname") || k.equals("PGDBNAME")) {
        database = v;
      } else if (k.equalsIgnoreCase("service")) {
        known = false;
        database = ""; // the service file may name another database
      }
    }
    if (hosts == null && ports == null) {
      return new JdbcTarget("postgresql", servers, known, database);
    }
    List<String> hostList = new ArrayList<>();
    List<String> portList = new ArrayList<>();
    for (Server s : servers) {
      hostList.add(s.host());
      portList.add(s.port().toString());
    }
    if (hosts != null) {
      hostList = List.of(hosts.split(",", -1));
    }
    if (ports != null) {
      portList = List.of(ports.split(",", -1));
    }
    if (hostList.size() != portList.size()) {
      known = false; // pgjdbc refuses the URL
    }
    List<Server> overridden = new ArrayList<>();
    for (int i = 0; i < hostList.size(); i++) {
      String port = portList.get(Math.min(i, portList.size() - 1)).trim();
      Integer p = port(port);
      if (p == null) {
        known = false;
        p = 5432;
      }
      overridden.add(new Server(unbracket(hostList.get(i).trim()), p));
    }
    return new JdbcTarget("postgresql", overridden, known, database);
  }

  /**
   * Adds the servers of one comma-separated part of a URL's host list; false when it cannot be read
   * with confidence.
   */
  private static boolean parseServer(String spec, Integer defaultPort, List<Server> out) {
    String s = spec.trim();
    int at = s.lastIndexOf('@');
    if (at >= 0 && !s.startsWith("(") && !s.regionMatches(true, 0, "address=", 0, 8)) {
      s = s.substring(at + 1); // user:password@
    }
    if (s.regionMatches(true, 0, "address=", 0, 8) || s.startsWith("(")) {
      // MariaDB address=(host=h)(port=p)(type=primary); MySQL (host=h,port=p)
      String host = null;
      String port = null;
      Matcher m = ADDRESS_PART.matcher(s.startsWith("(") ? s.replace(",", ")(") : s.substring(8));
      boolean other = false;
      while (m.find()) {
        String k = m.group(1).toLowerCase(Locale.ROOT);
        switch (k) {
          case "host" -> host = m.group(2).trim();
          case "port" -> port = m.group(2).trim();
          case "localsocket", "pipe", "socket" -> other = true;
          default -> {
            // type=primary and the like
          }
        }
      }
      if (host == null) {
        return false;
      }
      Integer p = port == null ? defaultPort : port(port);
      out.add(new Server(unbracket(host), p == null ? defaultPort : p));
      return !other && (port == null || p != null);
    }
    String host;
    String port = null;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        out.add(new Server(s.substring(1), defaultPort));
        return false;
      }
      host = s.substring(1, close);
      String after = s.substring(close + 1);
      if (after.startsWith(":")) {
        port = after.substring(1);
      } else if (!after.isEmpty()) {
        out.add(new Server(host, defaultPort));
        return false;
      }
    } else {
      int colon = s.indexOf(':');
      if (colon >= 0 && s.indexOf(':', colon + 1) >= 0) {
        // an IPv6 address without brackets: the drivers read its last group as the port
        out.add(new Server(s, defaultPort));
        return false;
      }
      host = colon < 0 ? s : s.substring(0, colon);
      port = colon < 0 ? null : s.substring(colon + 1);
    }
    if (port == null) {
      out.add(new Server(host, defaultPort));
      return true;
    }
    Integer p = port(port);
    out.add(new Server(host, p == null ? defaultPort : p));
    return p != null;
  }

  private static Integer port(String s) {
    return s.matches("\\d{1,5}") ? Integer.valueOf(s) : null;
  }

  private static String unbracket(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /** Lower case; loopback and wildcard addresses as {@code localhost}; IPv6 canonical. */
  static String normalHost(String host) {
    String h = unbracket(host.trim().toLowerCase(Locale.ROOT));
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    String v4 = inetAton(h);
    if (v4 != null) {
      h = v4;
    }
    if (LOOPBACK_NAMES.contains(h) || (IPV4.matcher(h).matches() && h.startsWith("127."))) {
      return "localhost";
    }
    if (h.indexOf(':') >= 0) {
      try {
        // in brackets, getByName parses the literal and never asks DNS
        InetAddress a = InetAddress.getByName("[" + h + "]");
        return a.isLoopbackAddress() || a.isAnyLocalAddress() ? "localhost" : a.getHostAddress();
      } catch (UnknownHostException | RuntimeException e) {
        return h;
      }
    }
    return h;
  }

  /**
   * An IPv4 address in any form C's {@code inet_aton} reads — which libpq and the MariaDB client
   * (the restore command) take, and Java's resolver partly: one to four parts, each decimal, octal
   * ({@code 0} first) or hex ({@code 0x}), the last filling the remaining bytes — as its dotted
   * quad; null when the host is no such address. Regression: a backup endpoint at {@code 127.1},
   * {@code 2130706433} or {@code 0x7f.1} on the primary's port and database was not recognised as
   * the primary, and the restore drill ran {@code pg_restore --clean} on the primary.
   */
  static String inetAton(String h) {
    if (h.isEmpty() || !Character.isDigit(h.charAt(0)) || h.endsWith(".")) {
      return null;
    }
    String[] parts = h.split("\\.", -1);
    if (parts.length > 4) {
      return null;
    }
    long[] v = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      int radix = 10;
      if (p.startsWith("0x") || p.startsWith("0X")) {
        p = p.substring(2);
        radix = 16;
        if (p.isEmpty()) {
          v[i] = 0; // "0x" alone is 0 to inet_aton
          continue;
        }
      } else if (p.length() > 1 && p.startsWith("0")) {
        p = p.substring(1);
        radix = 8;
      }
      if (p.isEmpty() || p.length() > 12) {
        return null;
      }
      try {
        v[i] = Long.parseLong(p, radix);
      } catch (NumberFormatException e) {
        return null;
      }
      if (p.charAt(0) == '-' || p.charAt(0) == '+') {
        return null;
      }
    }
    long address = 0;
    int n = v.length;
    for (int i = 0; i < n - 1; i++) {
      if (v[i] > 255) {
        return null;
      }
      address = (address << 8) | v[i];
    }
    int lastBytes = 5 - n;
    if (v[n - 1] >= (1L << (8 * lastBytes))) {
      return null;
    }
    address = (address << (8 * lastBytes)) | v[n - 1];
    return ((address >> 24) & 255)
        + "."
        + ((address >> 16) & 255)
        + "."
        + ((address >> 8) & 255)
        + "."
        + (address & 255);
  }

  private static List<String[]> parameters(String query) {
    List<String[]> out = new ArrayList<>();
    for (String p : query.split("&")) {
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      out.add(
          eq < 0 ? new String[] {p, ""} : new String[] {p.substring(0, eq), p.substring(eq + 1)});
    }
    return out;
  }

  /** pgjdbc decodes the database name and parameters ({@code %20}). */
  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  private static String cut(String s, char c) {
    int i = s.indexOf(c);
    return i < 0 ? s : s.substring(0, i);
  }

  private static int indexOutsideParentheses(String s, char c) {
    int depth = 0;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '(') {
        depth++;
      } else if (ch == ')') {
        depth = Math.max(0, depth - 1);
      } else if (ch == c && depth == 0) {
        return i;
      }
    }
    return -1;
  }

  /** Splits a host list on commas outside parentheses and brackets. */
  private static List<String> splitOutsideParentheses(String s) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '(' || ch == '[') {
        depth++;
      } else if (ch == ')' || ch == ']') {
        depth = Math.max(0, depth - 1);
      } else if (ch == ',' && depth == 0) {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    out.add(s.substring(start));
    return out;
  }
}
