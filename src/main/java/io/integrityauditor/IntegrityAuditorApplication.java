package io.integrityauditor;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.AuthValueFactoryProvider;
import io.dropwizard.auth.oauth.OAuthCredentialAuthFilter;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.integrityauditor.api.ApiUser;
import io.integrityauditor.api.AuditResource;
import io.integrityauditor.api.DatasetResource;
import io.integrityauditor.api.TokenAuthenticator;
import io.integrityauditor.audit.AuditRunner;
import io.integrityauditor.audit.AuditService;
import io.integrityauditor.cli.AuditCommand;
import io.integrityauditor.cli.DbCommand;
import io.integrityauditor.cli.DemoCommand;
import io.integrityauditor.cli.Wiring;
import io.integrityauditor.config.ConfigValidator;
import io.integrityauditor.config.ServiceSettings;
import io.integrityauditor.health.SchedulerHealthCheck;
import io.integrityauditor.health.StateDatabaseHealthCheck;
import io.integrityauditor.metrics.AuditMetrics;
import io.integrityauditor.metrics.MetricsResource;
import io.integrityauditor.schedule.AuditScheduler;
import io.integrityauditor.schedule.Watchdog;
import io.integrityauditor.store.RunDao;
import io.integrityauditor.store.StateStore;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Integrity Auditor: proves that replicas and restored backups can save every user's data. */
public class IntegrityAuditorApplication extends Application<IntegrityAuditorConfiguration> {
  private static final Logger LOG = LoggerFactory.getLogger(IntegrityAuditorApplication.class);

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
    bootstrap.addCommand(new DbCommand());
  }

  @Override
  public void run(IntegrityAuditorConfiguration config, Environment environment) {
    List<String> problems = ConfigValidator.problems(config.getEndpoints(), config.getDatasets());
    problems = new java.util.ArrayList<>(problems);
    problems.addAll(ConfigValidator.serviceProblems(config.getDatasets(), config.getService()));
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "The configuration has errors:\n  * " + String.join("\n  * ", problems));
    }
    ServiceSettings service = config.getService();
    ObjectMapper json = environment.getObjectMapper();
    Clock clock = Clock.systemUTC();

    StateStore store = new StateStore(config.getStateDatabase());
    List<String> applied = store.migrate();
    if (!applied.isEmpty()) {
      LOG.info("state database {}: applied {}", store.displayUrl(), applied);
    }
    environment.lifecycle().manage(onStop(store::close));
    RunDao runs = store.runs();

    AuditService audits = Wiring.auditService(config);
    AuditRunner runner =
        new AuditRunner(
            audits,
            runs,
            json,
            clock,
            instanceId(),
            Duration.ofMillis(service.getHeartbeatInterval().toMilliseconds()));
    AuditScheduler scheduler = new AuditScheduler(config.getDatasets(), store, runner, service);
    Watchdog watchdog = new Watchdog(runs, runner, scheduler, service, clock);
    environment.lifecycle().manage(scheduler);
    environment.lifecycle().manage(watchdog);

    PrometheusRegistry registry = new PrometheusRegistry();
    JvmMetrics.builder().register(registry);
    registry.register(
        new AuditMetrics(
            config.getDatasets(),
            store,
            json,
            service.getTimeZone(),
            config.getAudit().getMaxReplicaLag().toMilliseconds() / 1000.0));

    TokenAuthenticator tokens = new TokenAuthenticator(config.getAuth().getTokens());
    environment
        .jersey()
        .register(
            new AuthDynamicFeature(
                new OAuthCredentialAuthFilter.Builder<ApiUser>()
                    .setAuthenticator(tokens)
                    .setAuthorizer(tokens)
                    .setPrefix("Bearer")
                    .setRealm("integrity-auditor")
                    .buildAuthFilter()));
    environment.jersey().register(RolesAllowedDynamicFeature.class);
    environment.jersey().register(new AuthValueFactoryProvider.Binder<>(ApiUser.class));
    environment.jersey().register(new AuditResource(runner, scheduler, runs, json));
    environment.jersey().register(new DatasetResource(config.getDatasets(), runs, json));
    environment.jersey().register(new MetricsResource(registry));

    environment.healthChecks().register("state-database", new StateDatabaseHealthCheck(store));
    environment.healthChecks().register("scheduler", new SchedulerHealthCheck(scheduler));
  }

  private static Managed onStop(Runnable r) {
    return new Managed() {
      @Override
      public void stop() {
        r.run();
      }
    };
  }

  /** Host, process and a random part: unique per process, readable in the run history. */
  private static String instanceId() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "localhost";
    }
    return host
        + ":"
        + ProcessHandle.current().pid()
        + ":"
        + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Any command that fails to start (bad config, unreadable file) exits 2: "could not complete".
   */
  @Override
  protected void onFatalError(Throwable t) {
    System.exit(AuditCommand.INCOMPLETE);
  }
}
