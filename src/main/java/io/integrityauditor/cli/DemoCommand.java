package io.integrityauditor.cli;

import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import io.integrityauditor.IntegrityAuditorApplication;
import io.integrityauditor.audit.AuditReport;
import io.integrityauditor.audit.AuditRequest;
import io.integrityauditor.audit.AuditService;
import io.integrityauditor.audit.EndpointConnector;
import io.integrityauditor.config.BackupConfig;
import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.engine.CompareSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code demo [--once] [--port P]}: real PostgreSQL (embedded binaries) as primary and replica, an
 * embedded H2 database as a restored backup, Sidekick-like data for a few thousand users with
 * planted divergence. {@code --once}: one audit, its findings and the users at risk, exit code 1.
 * Without it: the whole service on that data, auditing every minute. Nothing to install but Java.
 */
public final class DemoCommand extends Command {
  public DemoCommand() {
    super("demo", "Audit seeded Sidekick-like data with planted divergence on embedded databases");
  }

  @Override
  public void configure(Subparser subparser) {
    subparser.addArgument("--once").action(Arguments.storeTrue()).help("one audit, then exit");
    subparser
        .addArgument("--port")
        .type(Integer.class)
        .setDefault(8080)
        .help("application port of the demo service (admin port: this + 1)");
  }

  @Override
  public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
    if (namespace.getBoolean("once")) {
      CliLogging.quiet();
      System.exit(runOnce());
    }
    runService(namespace.getInt("port"));
  }

  /** The seeded embedded databases: PostgreSQL primary and replica, an H2 restored backup. */
  record Environment(
      EmbeddedPostgres postgres, Map<String, EndpointConfig> endpoints, DatasetConfig users) {}

  static Environment environment() throws Exception {
    System.err.println(
        "demo: starting embedded PostgreSQL (primary and replica databases) and H2 ...");
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setPort(0).start();
    String base = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/";
    try (Connection c = DriverManager.getConnection(base + "postgres", "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE sidekick");
      s.execute("CREATE DATABASE sidekick_replica");
    }
    String h2 = "jdbc:h2:mem:sidekick_backup;DB_CLOSE_DELAY=-1";
    System.err.printf(
        "demo: seeding %d users' contacts, calendars, to-dos and photos ...%n", DemoData.USERS);
    try (Connection p = DriverManager.getConnection(base + "sidekick", "postgres", "");
        Connection r = DriverManager.getConnection(base + "sidekick_replica", "postgres", "");
        Connection b = DriverManager.getConnection(h2, "sa", "")) {
      DemoData.createSchema(p, true);
      DemoData.createSchema(r, true);
      DemoData.createSchema(b, false);
      DemoData.seed(p);
      DemoData.seed(r);
      DemoData.seed(b);
      DemoData.breakReplica(r);
      DemoData.breakBackup(b);
    }
    Map<String, EndpointConfig> endpoints = new LinkedHashMap<>();
    endpoints.put("users-primary", new EndpointConfig(base + "sidekick", "postgres", null, null));
    endpoints.put(
        "users-replica-1", new EndpointConfig(base + "sidekick_replica", "postgres", null, null));
    endpoints.put("users-backup", new EndpointConfig(h2, "sa", null, null));
    DatasetConfig users =
        new DatasetConfig(
            "users-primary",
            List.of("users-replica-1"),
            // Taken just after the seeded data's last write, the day the Sidekick servers
            // failed; maxAge 26h makes it a stale backup.
            List.of(
                new BackupConfig(
                    "users-backup",
                    BACKUP_AS_OF,
                    io.dropwizard.util.Duration.hours(26),
                    null,
                    null)),
            SCHEDULE,
            List.of(
                new TableConfig(
                    "public.contacts", List.of("id"), "user_id", "updated_at", List.of()),
                new TableConfig(
                    "public.calendar_events", List.of("id"), "user_id", null, List.of()),
                new TableConfig("public.todos", List.of(), "user_id", null, List.of()),
                new TableConfig("public.photos", List.of("id"), "user_id", null, List.of())));
    return new Environment(pg, endpoints, users);
  }

  static final String SCHEDULE = "0 * * * * ?";
  static final String BACKUP_AS_OF = "SELECT TIMESTAMP '2009-10-02 09:00:01'";

  static int runOnce() throws Exception {
    Environment env = environment();
    try (EmbeddedPostgres pg = env.postgres()) {
      AuditService service =
          new AuditService(
              Map.of("users", env.users()),
              new EndpointConnector(env.endpoints(), Duration.ofMinutes(1), Duration.ofSeconds(10)),
              CompareSettings.defaults(),
              Clock.systemUTC());
      AuditReport report =
          service.run(
              new AuditRequest("users", null, null),
              new ProgressPrinter(System.err),
              new AtomicBoolean());
      ReportPrinter.print(report, System.out);
      System.out.println();
      System.out.println(
          "The replica and the backup were seeded identical to the primary, then the replica lost and"
              + " garbled some rows and the backup lacks some of the same rows: the users listed at the"
              + " top have no good copy of those rows anywhere but the primary.");
      System.out.flush();
      return report.exitCode();
    }
  }

  /**
   * The whole service on the demo data: a config file in a temporary directory (state in an
   * in-memory H2 database), audits every minute and one at once, until the process is stopped.
   */
  static void runService(int port) throws Exception {
    Environment env = environment();
    // Owner-only (0700); its config holds the demo's tokens. Removed when the process stops, by
    // Ctrl-C or SIGTERM alike.
    Path dir = Files.createTempDirectory("integrity-auditor-demo");
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    env.postgres().close();
                  } catch (Exception ignored) {
                    // exiting anyway
                  }
                  deleteTree(dir);
                }));
    String admin = "demo-admin-" + UUID.randomUUID().toString().substring(0, 8);
    String viewer = "demo-viewer-" + UUID.randomUUID().toString().substring(0, 8);
    StringBuilder y = new StringBuilder();
    y.append("server:\n")
        .append("  applicationConnectors: [{type: http, port: ")
        .append(port)
        .append(", bindHost: 127.0.0.1}]\n")
        .append("  adminConnectors: [{type: http, port: ")
        .append(port + 1)
        .append(", bindHost: 127.0.0.1}]\n")
        .append("  requestLog: {appenders: []}\n")
        .append("logging:\n  level: WARN\n  loggers: {io.integrityauditor: INFO}\n")
        // In memory: an H2 file there was written again by the service's own shutdown after the
        // directory was removed, which left it behind.
        .append("stateDatabase:\n  url: \"jdbc:h2:mem:integrity-auditor-demo;DB_CLOSE_DELAY=-1\"\n")
        .append("auth:\n  tokens:\n")
        .append("    - {name: demo-admin, role: admin, token: ")
        .append(admin)
        .append("}\n")
        .append("    - {name: demo-viewer, role: viewer, token: ")
        .append(viewer)
        .append("}\n")
        .append("endpoints:\n");
    for (var e : env.endpoints().entrySet()) {
      y.append("  ")
          .append(e.getKey())
          .append(": {url: \"")
          .append(e.getValue().url())
          .append("\", user: ")
          .append(e.getValue().user())
          .append("}\n");
    }
    DatasetConfig ds = env.users();
    y.append("datasets:\n  users:\n")
        .append("    primary: ")
        .append(ds.primary())
        .append("\n")
        .append("    replicas: [")
        .append(String.join(", ", ds.replicas()))
        .append("]\n")
        .append("    backups:\n");
    for (BackupConfig b : ds.backups()) {
      y.append("      - {endpoint: ").append(b.endpoint());
      if (b.asOf() != null) {
        y.append(", asOf: \"").append(b.asOf()).append("\"");
      }
      if (b.maxAge() != null) {
        y.append(", maxAge: ").append(b.maxAge());
      }
      y.append("}\n");
    }
    y.append("    schedule: \"").append(SCHEDULE).append("\"\n    tables:\n");
    for (TableConfig t : ds.tables()) {
      y.append("      - {name: ").append(t.name());
      if (!t.key().isEmpty()) {
        y.append(", key: [").append(String.join(", ", t.key())).append("]");
      }
      if (t.owner() != null) {
        y.append(", owner: ").append(t.owner());
      }
      if (t.updatedAt() != null) {
        y.append(", updatedAt: ").append(t.updatedAt());
      }
      y.append("}\n");
    }
    Path config = dir.resolve("demo.yml");
    Files.createFile(
        config,
        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    Files.writeString(config, y.toString());
    new IntegrityAuditorApplication().run("server", config.toString());

    // A first audit now, so there is something to see before the schedule's first minute.
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/audits"))
                    .header("Authorization", "Bearer " + admin)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"dataset\":\"users\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    String base = "http://127.0.0.1:" + port;
    System.out.println();
    System.out.println(
        "Integrity Auditor demo is running (audits of dataset 'users' every minute).");
    System.out.println("  config:        " + config);
    System.out.println("  console:       " + base + "/");
    System.out.println(
        "  API:           " + base + "/api/datasets   (Authorization: Bearer " + viewer + ")");
    System.out.println(
        "  first audit:   "
            + base
            + r.headers()
                .firstValue("Location")
                .map(l -> l.replaceFirst("^https?://[^/]+", ""))
                .orElse("/api/audits"));
    System.out.println("  metrics:       " + base + "/metrics");
    System.out.println("  health:        http://127.0.0.1:" + (port + 1) + "/healthcheck");
    System.out.println("  admin token:   " + admin);
    System.out.println("  viewer token:  " + viewer);
    System.out.println(
        "  try: curl -s -H 'Authorization: Bearer "
            + viewer
            + "' "
            + base
            + "/api/audits?dataset=users");
    System.out.println("Stop with Ctrl-C.");
    System.out.flush();
  }

  /** Deletes a directory and everything in it, as far as it can (best effort, at exit). */
  static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths
          .sorted(java.util.Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (java.io.IOException ignored) {
                  // a file still being written: the rest goes
                }
              });
    } catch (java.io.IOException | java.io.UncheckedIOException ignored) {
      // already gone
    }
  }
}
