package io.integrityauditor;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.integrityauditor.cli.AuditCommand;
import io.integrityauditor.cli.DemoCommand;
import io.integrityauditor.config.ConfigValidator;
import java.util.List;

/** The Integrity Auditor: proves that replicas and restored backups can save every user's data. */
public class IntegrityAuditorApplication extends Application<IntegrityAuditorConfiguration> {

  public static void main(String[] args) throws Exception {
    new IntegrityAuditorApplication().run(args);
  }

  @Override
  public String getName() {
    return "integrity-auditor";
  }

  @Override
  public void initialize(Bootstrap<IntegrityAuditorConfiguration> bootstrap) {
    // Strict: a ${VAR} that is not set is a configuration error, not an empty password.
    bootstrap.setConfigurationSourceProvider(
        new SubstitutingSourceProvider(
            bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(true)));
    bootstrap.addCommand(new AuditCommand());
    bootstrap.addCommand(new DemoCommand());
  }

  @Override
  public void run(IntegrityAuditorConfiguration config, Environment environment) {
    List<String> problems = ConfigValidator.problems(config.getEndpoints(), config.getDatasets());
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "The configuration has errors:\n  * " + String.join("\n  * ", problems));
    }
  }

  /**
   * Any command that fails to start (bad config, unreadable file) exits 2: "could not complete".
   */
  @Override
  protected void onFatalError(Throwable t) {
    System.exit(AuditCommand.INCOMPLETE);
  }
}
