package io.integrityauditor.cli;

import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.integrityauditor.IntegrityAuditorConfiguration;
import io.integrityauditor.store.StateStore;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code db migrate config.yml}: applies the state database's pending migrations and exits ({@code
 * db status config.yml} prints the schema version). The service also migrates at start.
 */
public final class DbCommand extends ConfiguredCommand<IntegrityAuditorConfiguration> {
  public DbCommand() {
    super("db", "Migrates the state database: db migrate|status config.yml");
  }

  @Override
  public void configure(Subparser subparser) {
    subparser.addArgument("action").choices("migrate", "status").help("migrate or status");
    super.configure(subparser);
  }

  /**
   * As Dropwizard's (the stack trace), without a secret substituted into the configuration ({@link
   * io.integrityauditor.config.Secrets#redactConfigurationError}).
   */
  @Override
  public void onError(io.dropwizard.core.cli.Cli cli, Namespace namespace, Throwable e) {
    if (e instanceof io.integrityauditor.config.Secrets.UnsetVariable) {
      cli.getStdErr()
          .println(io.integrityauditor.config.Secrets.redactConfigurationError(e.getMessage()));
      cli.getStdErr().flush();
      return;
    }
    if (e instanceof java.io.FileNotFoundException
        || e instanceof java.nio.file.NoSuchFileException) {
      // one line, as audit and check say it (review 1 of session 20: a stack trace)
      cli.getStdErr().println("error: cannot read the configuration file: " + e.getMessage());
      cli.getStdErr().flush();
      return;
    }
    if (e instanceof StateStore.StateException) {
      // one line (review 3 of session 21: 86 lines of stack trace for an H2 file in use)
      cli.getStdErr()
          .println(
              "error: "
                  + io.integrityauditor.config.Secrets.redactConfigurationError(e.getMessage()));
      cli.getStdErr().flush();
      return;
    }
    java.io.StringWriter trace = new java.io.StringWriter();
    e.printStackTrace(new java.io.PrintWriter(trace));
    cli.getStdErr()
        .print(io.integrityauditor.config.Secrets.redactConfigurationError(trace.toString()));
    cli.getStdErr().flush();
  }

  /**
   * Refuses a missing configuration file, as {@code audit} and {@code check} do. Regression (review
   * 4 of session 21): without one, Dropwizard's default configuration migrated, or reported, an H2
   * file {@code ./data/auditor} in the working directory and exited 0.
   */
  @Override
  public void run(Bootstrap<?> bootstrap, Namespace namespace) throws Exception {
    if (namespace.getString("file") == null) {
      System.err.println(
          "error: no configuration file: java -jar integrity-auditor.jar db "
              + namespace.getString("action")
              + " config.yml");
      System.exit(2);
    }
    super.run(bootstrap, namespace);
  }

  @Override
  protected void run(
      Bootstrap<IntegrityAuditorConfiguration> bootstrap,
      Namespace namespace,
      IntegrityAuditorConfiguration config) {
    StateStore store = new StateStore(config.getStateDatabase());
    try {
      if ("migrate".equals(namespace.getString("action"))) {
        List<String> applied = store.migrate();
        System.out.println(
            applied.isEmpty()
                ? "state database " + store.displayUrl() + " is up to date"
                : "state database "
                    + store.displayUrl()
                    + ": applied "
                    + String.join(", ", applied));
      }
      System.out.println(
          "schema version "
              + store.schemaVersion()
              + " (this release: "
              + StateStore.latestVersion()
              + ")");
    } catch (org.jdbi.v3.core.JdbiException e) {
      throw new StateStore.StateException(
          "cannot read the state database " + store.displayUrl(), rootCause(e));
    } finally {
      store.close();
    }
  }

  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }
}
