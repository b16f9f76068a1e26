package io.integrityauditor.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks what annotations cannot: references between sections. Each problem names its field by
 * path, e.g. {@code datasets.users.replicas[0]: unknown endpoint 'users-replica-9'}.
 */
public final class ConfigValidator {
  private ConfigValidator() {}

  public static List<String> problems(
      Map<String, EndpointConfig> endpoints, Map<String, DatasetConfig> datasets) {
    List<String> out = new ArrayList<>();
    if (datasets.isEmpty()) {
      out.add("datasets: no dataset configured");
    }
    for (var e : endpoints.entrySet()) {
      String url = e.getValue().url();
      if (url != null && !url.startsWith("jdbc:")) {
        out.add("endpoints." + e.getKey() + ".url: must be a JDBC URL (jdbc:...)");
      }
      userInfo("endpoints." + e.getKey() + ".url", url, out);
    }
    for (var d : datasets.entrySet()) {
      String p = "datasets." + d.getKey();
      DatasetConfig ds = d.getValue();
      Set<String> used = new HashSet<>();
      if (ds.primary() != null) {
        known(endpoints, ds.primary(), p + ".primary", out);
        used.add(ds.primary());
      }
      for (int i = 0; i < ds.replicas().size(); i++) {
        String r = ds.replicas().get(i);
        known(endpoints, r, p + ".replicas[" + i + "]", out);
        if (!used.add(r)) {
          out.add(p + ".replicas[" + i + "]: endpoint '" + r + "' is used twice in this dataset");
        } else {
          sameDatabaseAsEarlier(endpoints, ds, i, p, out);
        }
      }
      for (int i = 0; i < ds.backups().size(); i++) {
        String b = ds.backups().get(i).endpoint();
        if (b == null) {
          continue;
        }
        known(endpoints, b, p + ".backups[" + i + "].endpoint", out);
        if (!used.add(b)) {
          out.add(
              p
                  + ".backups["
                  + i
                  + "].endpoint: endpoint '"
                  + b
                  + "' is used twice in this dataset");
        }
      }
      for (int i = 0; i < ds.backups().size(); i++) {
        backupProblems(endpoints, datasets, ds.backups().get(i), p + ".backups[" + i + "]", out);
      }
      if (ds.replicas().isEmpty() && ds.backups().isEmpty()) {
        out.add(p + ": no replicas and no backups: there is nothing to compare the primary with");
      }
      Set<String> tables = new HashSet<>();
      for (int i = 0; i < ds.tables().size(); i++) {
        String t = ds.tables().get(i).name();
        if (t != null && !tables.add(t)) {
          out.add(p + ".tables[" + i + "].name: table '" + t + "' is listed twice");
        }
      }
    }
    return out;
  }

  /**
   * A replica that is, under another endpoint name, the primary's database or an earlier replica's.
   * Regression: {@code p} and {@code c} with one URL, the audit compared the primary with itself
   * and said CONSISTENT. Only what is surely one database is refused ({@link
   * JdbcTarget#surelySameDatabase}, or the same URL, for the same user when it names no database).
   */
  private static void sameDatabaseAsEarlier(
      Map<String, EndpointConfig> endpoints, DatasetConfig ds, int i, String p, List<String> out) {
    EndpointConfig replica = endpoints.get(ds.replicas().get(i));
    if (replica == null || replica.url() == null) {
      return;
    }
    List<String> earlier = new ArrayList<>();
    earlier.add(ds.primary());
    earlier.addAll(ds.replicas().subList(0, i));
    for (int j = 0; j < earlier.size(); j++) {
      EndpointConfig e = earlier.get(j) == null ? null : endpoints.get(earlier.get(j));
      if (e != null && e.url() != null && sameDatabase(replica, e)) {
        out.add(
            p
                + ".replicas["
                + i
                + "]: endpoint '"
                + ds.replicas().get(i)
                + "' is the same database as "
                + (j == 0 ? "the primary" : "replicas[" + (j - 1) + "]")
                + " '"
                + earlier.get(j)
                + "': a copy compared with itself proves nothing");
        return;
      }
    }
  }

  private static boolean sameDatabase(EndpointConfig a, EndpointConfig b) {
    JdbcTarget t = JdbcTarget.of(a.url());
    if (a.url().equals(b.url())) {
      // without a database, PostgreSQL connects to the user's own
      return !t.database().isEmpty() || java.util.Objects.equals(a.user(), b.user());
    }
    return t.surelySameDatabase(JdbcTarget.of(b.url()));
  }

  /**
   * Every problem of a whole configuration, as {@code audit}, {@code server} and {@code check}
   * refuse it: the same file is valid for all or for none (before, {@code audit} ran with a
   * schedule that was no cron expression, which {@code server} refused).
   */
  /**
   * A backup restored into the state database would overwrite the auditor's own history. Regression
   * (review 2 of session 22): {@code check} accepted a backup endpoint whose URL was the state
   * database's.
   */
  private static void stateDatabaseNotRestoredInto(
      io.integrityauditor.IntegrityAuditorConfiguration config, List<String> out) {
    String url = config.getStateDatabase().getUrl();
    if (url == null || config.getEndpoints() == null || config.getDatasets() == null) {
      return;
    }
    JdbcTarget state = JdbcTarget.of(url);
    for (var d : config.getDatasets().entrySet()) {
      List<BackupConfig> backups = d.getValue().backups();
      for (int i = 0; i < backups.size(); i++) {
        BackupConfig b = backups.get(i);
        EndpointConfig e = b.endpoint() == null ? null : config.getEndpoints().get(b.endpoint());
        if (e != null
            && e.url() != null
            && b.restoreCommand() != null
            && !b.restoreCommand().isBlank()
            && JdbcTarget.of(e.url()).sameDatabase(state)) {
          out.add(
              "datasets."
                  + d.getKey()
                  + ".backups["
                  + i
                  + "].endpoint: endpoint '"
                  + b.endpoint()
                  + "' is the same database as stateDatabase.url: a backup must be restored into a"
                  + " database of its own");
        }
      }
    }
  }

  public static List<String> allProblems(io.integrityauditor.IntegrityAuditorConfiguration config) {
    List<String> out = new ArrayList<>(problems(config.getEndpoints(), config.getDatasets()));
    out.addAll(serviceProblems(config.getDatasets(), config.getService()));
    out.addAll(config.getReport().problems());
    userInfo("stateDatabase.url", config.getStateDatabase().getUrl(), out);
    stateDatabaseNotRestoredInto(config, out);
    var audit = config.getAudit();
    // 0 turns PostgreSQL's statement_timeout (and the drivers' connect timeouts) off
    if (audit.getStatementTimeout().toMilliseconds() <= 0) {
      out.add("audit.statementTimeout: must be above 0 (0 would turn the timeout off)");
    }
    if (audit.getConnectTimeout().toMilliseconds() <= 0) {
      out.add("audit.connectTimeout: must be above 0 (0 would turn the timeout off)");
    }
    if (audit.getChunkTarget().toMilliseconds() <= 0) {
      out.add("audit.chunkTarget: must be above 0 (the time one chunk's digest should take)");
    }
    timeoutBounds(audit, out);
    tokenProblems(config.getAuth(), out);
    return out;
  }

  /** See {@link #timeoutBounds}. */
  static final io.dropwizard.util.Duration MAX_STATEMENT_TIMEOUT =
      io.dropwizard.util.Duration.days(12);

  static final io.dropwizard.util.Duration MAX_CONNECT_TIMEOUT =
      io.dropwizard.util.Duration.days(24);

  /**
   * The longest timeouts whose settings the drivers can take. EndpointConnector gives both drivers
   * a socket timeout of 2 x statementTimeout + 5s and a connect timeout of connectTimeout, which
   * MariaDB Connector/J reads as an int of milliseconds and pgjdbc as seconds that it multiplies
   * into an int of milliseconds; PostgreSQL's statement_timeout is an int of milliseconds too.
   * Exactly: 2 x statementTimeout + 5s and connectTimeout, in whole seconds, at most 2,147,483 s,
   * so statementTimeout below 1,073,740 s (12.4 days) and connectTimeout below 2,147,484 s (24.8
   * days); the limits are rounded down to whole days. Regression: statementTimeout 13d or 30d and
   * connectTimeout 30d passed {@code check} and then failed every audit with driver errors that
   * named neither field ("Optional parameter socketTimeout must be Integer, was '2246405000'",
   * "Something unusual has occurred to cause the driver to fail").
   */
  private static void timeoutBounds(AuditSettings audit, List<String> out) {
    if (audit.getStatementTimeout().toMilliseconds() > MAX_STATEMENT_TIMEOUT.toMilliseconds()) {
      out.add(
          "audit.statementTimeout: must be at most "
              + MAX_STATEMENT_TIMEOUT
              + " (the drivers' socket timeout, twice statementTimeout plus 5s, must fit an int of"
              + " milliseconds)");
    }
    if (audit.getConnectTimeout().toMilliseconds() > MAX_CONNECT_TIMEOUT.toMilliseconds()) {
      out.add(
          "audit.connectTimeout: must be at most "
              + MAX_CONNECT_TIMEOUT
              + " (the drivers' connect timeout must fit an int of milliseconds)");
    }
  }

  /** Two tokens with one value (whose role would win?) or one name (whose audit was it?). */
  private static void tokenProblems(AuthConfig auth, List<String> out) {
    if (auth == null) {
      return;
    }
    Set<String> values = new HashSet<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < auth.getTokens().size(); i++) {
      AuthConfig.Token t = auth.getTokens().get(i);
      if (t.token() != null && !values.add(t.token())) {
        out.add("auth.tokens[" + i + "].token: the same token as an earlier entry");
      }
      if (t.token() != null && !t.token().isBlank() && !t.token().matches("[\\x21-\\x7e]+")) {
        // An HTTP header carries no other character as itself: "tök€n" passed check and no
        // request could ever match it (review 7 of session 21). The value is not printed.
        out.add(
            "auth.tokens["
                + i
                + "].token: must be printable ASCII characters without spaces (a header value)");
      }
      if (t.name() != null && !names.add(t.name())) {
        out.add("auth.tokens[" + i + "].name: '" + t.name() + "' names an earlier token too");
      }
    }
  }

  /**
   * A password in a URL's user info: the drivers do not read it and print it in their errors
   * (regression: "Incorrect port value : secret@127.0.0.1" in reports, the API and logs).
   */
  private static void userInfo(String field, String url, List<String> out) {
    if (Secrets.hasUserInfoPassword(url)) {
      out.add(
          field
              + ": a password in the URL's user info ("
              + Secrets.redactUrl(url)
              + ") is not read by the JDBC drivers, which print it in their errors: set user and"
              + " password instead");
    }
  }

  /** Problems only the service cares about: schedules and their time zone. */
  public static List<String> serviceProblems(
      Map<String, DatasetConfig> datasets, ServiceSettings service) {
    List<String> out = new ArrayList<>();
    try {
      java.time.ZoneId.of(service.getTimeZone());
    } catch (java.time.DateTimeException e) {
      out.add("service.timeZone: unknown time zone '" + service.getTimeZone() + "'");
    }
    long beat = service.getHeartbeatInterval().toMilliseconds();
    if (beat < 100) {
      out.add("service.heartbeatInterval: must be at least 100ms");
    }
    if (service.getHeartbeatTimeout().toMilliseconds() < 2 * beat) {
      // A run whose heartbeat is only late would be taken over while it still runs.
      out.add(
          "service.heartbeatTimeout: must be at least twice heartbeatInterval ("
              + service.getHeartbeatInterval()
              + ")");
    }
    if (service.getStuckAfter().toMilliseconds() < 2 * beat) {
      out.add(
          "service.stuckAfter: must be at least twice heartbeatInterval ("
              + service.getHeartbeatInterval()
              + ")");
    }
    if (service.getCheckpointInterval().toMilliseconds() < 1000) {
      out.add("service.checkpointInterval: must be at least 1s");
    }
    // Regression (review 4 of session 21): 0s passed check and audit, and server then failed at
    // start with an IllegalArgumentException naming nothing (watchdogInterval); retention 0s
    // would purge every run at once, clusterCheckinInterval 0s would make Quartz spin.
    if (service.getWatchdogInterval().toMilliseconds() < 100) {
      out.add("service.watchdogInterval: must be at least 100ms");
    }
    if (service.getClusterCheckinInterval().toMilliseconds() < 100) {
      out.add("service.clusterCheckinInterval: must be at least 100ms");
    }
    if (service.getRetention().toMilliseconds() < 3_600_000L) {
      out.add("service.retention: must be at least 1h");
    }
    for (var d : datasets.entrySet()) {
      String cron = d.getValue().schedule();
      if (cron != null && !cron.isBlank()) {
        try {
          org.quartz.CronExpression.validateExpression(cron);
        } catch (java.text.ParseException e) {
          out.add(
              "datasets."
                  + d.getKey()
                  + ".schedule: not a Quartz cron expression ('"
                  + cron
                  + "'): "
                  + e.getMessage());
        }
      }
    }
    return out;
  }

  /**
   * A backup endpoint is written by restore drills, so it must never be, by name or by database,
   * the primary or a replica of any dataset; and the auditor must be able to tell when it was
   * taken.
   */
  private static void backupProblems(
      Map<String, EndpointConfig> endpoints,
      Map<String, DatasetConfig> datasets,
      BackupConfig b,
      String field,
      List<String> out) {
    if (!BackupConfig.RESTORE_ALWAYS.equals(b.restoreWhen())
        && !BackupConfig.RESTORE_NEW_FILE.equals(b.restoreWhen())) {
      out.add(
          field
              + ".restoreWhen: must be '"
              + BackupConfig.RESTORE_ALWAYS
              + "' or '"
              + BackupConfig.RESTORE_NEW_FILE
              + "', not '"
              + b.restoreWhen()
              + "'");
    } else if (b.restoreOnlyNewFiles() && (b.files() == null || b.files().isBlank())) {
      out.add(
          field
              + ".restoreWhen: 'newFile' needs 'files' (the dump files whose newest is restored)");
    }
    if (b.endpoint() != null && endpoints.containsKey(b.endpoint())) {
      JdbcTarget target = JdbcTarget.of(endpoints.get(b.endpoint()).url());
      Set<String> reported = new HashSet<>();
      for (var d : datasets.entrySet()) {
        List<String> live = new ArrayList<>();
        live.add(d.getValue().primary());
        live.addAll(d.getValue().replicas());
        for (String e : live) {
          if (e == null || !endpoints.containsKey(e) || !reported.add(e)) {
            continue;
          }
          String role = e.equals(d.getValue().primary()) ? "primary" : "a replica";
          if (e.equals(b.endpoint())) {
            out.add(
                field
                    + ".endpoint: endpoint '"
                    + e
                    + "' is "
                    + role
                    + " of dataset '"
                    + d.getKey()
                    + "': a backup must be restored into a database of its own");
          } else if (JdbcTarget.of(endpoints.get(e).url()).sameDatabase(target)) {
            out.add(
                field
                    + ".endpoint: endpoint '"
                    + b.endpoint()
                    + "' is the same database as '"
                    + e
                    + "', "
                    + role
                    + " of dataset '"
                    + d.getKey()
                    + "': a backup must be restored into a database of its own");
          }
        }
      }
    }
    if (isBlank(b.asOf()) && isBlank(b.files())) {
      out.add(
          field
              + ": needs 'asOf' (a query on the backup returning when it was taken) or 'files':"
              + " without the backup's time, every write since would look like a lost row");
    }
    if (b.restoreCommand() != null
        && b.restoreCommand().contains("{newest}")
        && isBlank(b.files())) {
      out.add(field + ".restoreCommand: uses {newest} but no 'files' are configured");
    }
    if (b.restoreTimeout() != null && b.restoreTimeout().toMilliseconds() <= 0) {
      out.add(field + ".restoreTimeout: must be positive");
    }
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  private static void known(
      Map<String, EndpointConfig> endpoints, String name, String field, List<String> out) {
    if (!endpoints.containsKey(name)) {
      out.add(
          field
              + ": unknown endpoint '"
              + name
              + "' (known: "
              + String.join(", ", endpoints.keySet())
              + ")");
    }
  }

  /**
   * What the configuration leaves unchecked without being wrong: a backup without {@code maxAge} is
   * never STALE (review 4 of session 21: the README did not say so). {@code check} prints these,
   * {@code server} logs them.
   */
  public static List<String> warnings(Map<String, DatasetConfig> datasets) {
    List<String> out = new ArrayList<>();
    for (var d : datasets.entrySet()) {
      List<BackupConfig> backups = d.getValue().backups();
      for (int i = 0; backups != null && i < backups.size(); i++) {
        if (backups.get(i).maxAge() == null) {
          out.add(
              "datasets."
                  + d.getKey()
                  + ".backups["
                  + i
                  + "].maxAge: not set: this backup is never STALE (its age is not checked)");
        }
      }
    }
    return out;
  }
}
