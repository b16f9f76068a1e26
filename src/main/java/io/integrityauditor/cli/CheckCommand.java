package io.integrityauditor.cli;

import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.integrityauditor.IntegrityAuditorConfiguration;
import java.util.List;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * {@code check config.yml}: parses and validates the configuration as the {@code server} and {@code
 * audit} commands do, references between sections, schedules and time zones included ({@link
 * IntegrityAuditorConfiguration#problems()}). A bad configuration prints "The configuration has
 * errors:" with one line per problem on stderr and exits 2 (the application's fatal-error exit
 * code); a good one prints "Configuration is OK".
 */
public final class CheckCommand
    extends io.dropwizard.core.cli.CheckCommand<IntegrityAuditorConfiguration> {

  public CheckCommand(Application<IntegrityAuditorConfiguration> application) {
    super(application);
  }

  @Override
  protected void run(
      Bootstrap<IntegrityAuditorConfiguration> bootstrap,
      Namespace namespace,
      IntegrityAuditorConfiguration config)
      throws Exception {
    List<String> problems = config.problems();
    if (problems.isEmpty()) {
      // What server refuses at start-up beyond the file: tables, keys and columns each reachable
      // primary does not have (an unreachable one is skipped with a warning, as server does).
      // Regression: check said "Configuration is OK" for an unknown table that server refused.
      problems = Wiring.auditService(config).catalogProblems();
    }
    if (!problems.isEmpty()) {
      // Dropwizard's CheckCommand.onError prints the message alone (no stack trace) to stderr.
      throw new InvalidConfigurationException(
          IntegrityAuditorConfiguration.problemsMessage(problems));
    }
    for (String w : io.integrityauditor.config.ConfigValidator.warnings(config.getDatasets())) {
      System.err.println("warning: " + w);
    }
    super.run(bootstrap, namespace, config);
  }

  /**
   * Dropwizard's prints the message as it is: a malformed file's shows the line with every {@code
   * ${VAR}} already substituted, secrets too ({@link
   * io.integrityauditor.config.Secrets#redactConfigurationError}).
   */
  @Override
  public void onError(io.dropwizard.core.cli.Cli cli, Namespace namespace, Throwable e) {
    cli.getStdErr()
        .println(
            e instanceof java.io.FileNotFoundException
                    || e instanceof java.nio.file.NoSuchFileException
                ? "error: cannot read the configuration file: " + e.getMessage()
                : io.integrityauditor.config.Secrets.redactConfigurationError(e.getMessage()));
  }

  /** The configuration has problems; the message lists them. */
  static final class InvalidConfigurationException extends Exception {
    InvalidConfigurationException(String message) {
      super(message, null, false, false);
    }
  }
}
