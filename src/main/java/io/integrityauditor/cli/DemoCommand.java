package io.integrityauditor.cli;

import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code demo [--once]}: real PostgreSQL (embedded binaries) as primary and replica, an embedded H2
 * database as a restored backup, Sidekick-like data for a few thousand users with planted
 * divergence; one audit, its findings and the users at risk. Nothing to install but Java.
 */
public final class DemoCommand extends Command {
  public DemoCommand() {
    super("demo", "Audit seeded Sidekick-like data with planted divergence on embedded databases");
  }

  @Override
  public void configure(Subparser subparser) {
    subparser.addArgument("--once").action(Arguments.storeTrue()).help("one audit, then exit");
  }

  @Override
  public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
    CliLogging.quiet();
    System.exit(runOnce());
  }

  static int runOnce() throws Exception {
    System.err.println(
        "demo: starting embedded PostgreSQL (primary and replica databases) and H2 ...");
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setPort(0).start()) {
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
                      "SELECT TIMESTAMP '2009-10-02 09:00:01'",
                      io.dropwizard.util.Duration.hours(26),
                      null,
                      null)),
              null,
              List.of(
                  new TableConfig(
                      "public.contacts", List.of("id"), "user_id", "updated_at", List.of()),
                  new TableConfig(
                      "public.calendar_events", List.of("id"), "user_id", null, List.of()),
                  new TableConfig("public.todos", List.of(), "user_id", null, List.of()),
                  new TableConfig("public.photos", List.of("id"), "user_id", null, List.of())));
      AuditService service =
          new AuditService(
              Map.of("users", users),
              new EndpointConnector(endpoints, Duration.ofMinutes(1), Duration.ofSeconds(10)),
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
}
