package io.integrityauditor;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.AuthValueFactoryProvider;
import io.dropwizard.auth.JSONUnauthorizedHandler;
import io.dropwizard.auth.oauth.OAuthCredentialAuthFilter;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.integrityauditor.api.ApiUser;
import io.integrityauditor.api.AuditResource;
import io.integrityauditor.api.ConsoleResource;
import io.integrityauditor.api.DatasetResource;
import io.integrityauditor.api.TokenAuthenticator;
import io.integrityauditor.api.WeeklyReportResource;
import io.integrityauditor.api.WhoAmIResource;
import io.integrityauditor.audit.AuditRunner;
import io.integrityauditor.audit.AuditService;
import io.integrityauditor.cli.AuditCommand;
import io.integrityauditor.cli.CheckCommand;
import io.integrityauditor.cli.DbCommand;
import io.integrityauditor.cli.DemoCommand;
import io.integrityauditor.cli.Wiring;
import io.integrityauditor.config.ServiceSettings;
import io.integrityauditor.health.SchedulerHealthCheck;
import io.integrityauditor.health.StateDatabaseHealthCheck;
import io.integrityauditor.metrics.AuditMetrics;
import io.integrityauditor.metrics.MetricsResource;
import io.integrityauditor.report.ReportDelivery;
import io.integrityauditor.report.WeeklyReportBuilder;
import io.integrityauditor.report.WeeklyReports;
import io.integrityauditor.schedule.AuditScheduler;
import io.integrityauditor.schedule.Watchdog;
import io.integrityauditor.schedule.WeeklyReportJob;
import io.integrityauditor.store.ReportDao;
import io.integrityauditor.store.RunDao;
import io.integrityauditor.store.StateStore;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;
import org.glassfish.jersey.server.ServerProperties;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Integrity Auditor: proves that replicas and restored backups can save every user's data. */
public class IntegrityAuditorApplication extends Application<IntegrityAuditorConfiguration> {
  private static final Logger LOG = LoggerFactory.getLogger(IntegrityAuditorApplication.class);

  /** Set by {@link #main} for the one-shot {@code audit} command, before the application exists. */
  static volatile boolean oneShotAudit;

  public static void main(String[] args) throws Exception {
    io.integrityauditor.cli.Trace.at("main");
    if (args.length > 0 && "audit".equals(args[0])) {
      oneShotAuditLogging();
      io.integrityauditor.cli.StartupWarmup.begin();
    }
    // Every session the auditor opens runs in UTC, and so does the JVM: drivers decode timestamps
    // through the JVM's default zone, which on a host in a zone with daylight saving time moved or
    // merged values (HostTimeZoneIT). Schedules and reports use their own configured zones.
    java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("UTC"));
    new IntegrityAuditorApplication().run(args);
  }

  /**
   * The {@code audit} command's stdout carries the report alone ({@code --json} is parsed by
   * scripts): from the first line of {@code main}, before the warm-up thread starts, the log goes
   * to stderr, warnings and worse only, and Dropwizard's start-up logging (to stdout) is not set up
   * ({@link #bootstrapLogging}). Before, logback's default (everything, to stdout) was in place
   * until the application's constructor replaced it, and the warm-up thread's first log line,
   * Hibernate Validator's logging announcing its provider at DEBUG, reached the report's stdout in
   * 3 of 30 audits when it came first (ReportStdoutTest).
   */
  public static void oneShotAuditLogging() {
    oneShotAudit = true;
    io.integrityauditor.cli.CliLogging.quiet();
  }

  /**
   * Dropwizard's start-up logging, except for the one-shot audit ({@link #oneShotAuditLogging}).
   */
  @Override
  protected void bootstrapLogging() {
    if (!oneShotAudit) {
      super.bootstrapLogging();
    }
  }

  /**
   * As Dropwizard's {@code Application.run}, except that the one-shot {@code audit} command skips
   * registering the JVM gauges with Dropwizard's metric registry: nothing of an audit reads them,
   * and building them (the platform MBean server) cost 30 - 50 ms of every audit's start. Every
   * other command, {@code server} above all, starts exactly as before.
   */
  @Override
  public void run(String... arguments) throws Exception {
    Bootstrap<IntegrityAuditorConfiguration> bootstrap = new Bootstrap<>(this);
    addDefaultCommands(bootstrap);
    initialize(bootstrap);
    if (arguments.length == 0 || !"audit".equals(arguments[0])) {
      bootstrap.registerMetrics();
    }
    new io.dropwizard.core.cli.Cli(
            new io.dropwizard.util.JarLocation(getClass()), bootstrap, System.out, System.err)
        .run(arguments)
        .ifPresent(this::onFatalError);
  }

  @Override
  public String getName() {
    return "integrity-auditor";
  }

  @Override
  public void initialize(Bootstrap<IntegrityAuditorConfiguration> bootstrap) {
    io.integrityauditor.cli.Trace.at("bootstrap built");
    // Strict: a ${VAR} that is not set is a configuration error, not an empty password.
    bootstrap.setConfigurationSourceProvider(
        new SubstitutingSourceProvider(
            bootstrap.getConfigurationSourceProvider(),
            io.integrityauditor.config.Secrets.recordingSubstitutor()));
    bootstrap.setConfigurationFactoryFactory(new DuplicateKeysRefused<>());
    bootstrap.addCommand(new AuditCommand());
    bootstrap.addCommand(new DemoCommand());
    bootstrap.addCommand(new DbCommand());
  }

  /**
   * Dropwizard's configuration factory, refusing a file that writes one key twice in a mapping
   * (every command parses its configuration with it: {@code audit}, {@code check}, {@code server},
   * {@code db}). Regression: YAML's last value silently won, so with two endpoints {@code c} and
   * two datasets {@code ds} the audit compared another copy and other tables than the first ones
   * written, and said CONSISTENT.
   */
  static final class DuplicateKeysRefused<T>
      extends io.dropwizard.configuration.DefaultConfigurationFactoryFactory<T> {
    @Override
    public io.dropwizard.configuration.ConfigurationFactory<T> create(
        Class<T> klass,
        jakarta.validation.Validator validator,
        ObjectMapper mapper,
        String propertyPrefix) {
      return new io.dropwizard.configuration.YamlConfigurationFactory<>(
          klass, validator, configureObjectMapper(mapper.copy()), propertyPrefix) {
        @Override
        protected com.fasterxml.jackson.core.JsonParser createParser(java.io.InputStream input)
            throws java.io.IOException {
          // a parse error: Dropwizard prints it as "Malformed YAML at line: 4, column: 6;
          // Duplicate field 'c'"
          return super.createParser(input)
              .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        }
      };
    }
  }

  /**
   * Dropwizard's admin port ({@code /tasks}, which changes log levels, {@code /threads}, {@code
   * /healthcheck}) has no authentication and listens on every interface unless told otherwise. An
   * admin connector without a {@code bindHost} listens on 127.0.0.1 here; {@code bindHost: 0.0.0.0}
   * (or an address) exposes it. The API and {@code /metrics} are on the application port, which
   * keeps Dropwizard's default.
   */
  public static void adminOnLoopback(io.dropwizard.core.server.ServerFactory server) {
    if (server instanceof io.dropwizard.core.server.DefaultServerFactory f) {
      for (var c : f.getAdminConnectors()) {
        if (c instanceof io.dropwizard.jetty.HttpConnectorFactory h && h.getBindHost() == null) {
          h.setBindHost("127.0.0.1");
        }
      }
    }
  }

  /**
   * The request log's default line without the query string (Dropwizard's default prints the whole
   * request line): a token sent as {@code ?access_token=} — refused, see {@link RefuseTokensInUrls}
   * — was written to the log in clear. A configured {@code logFormat} is kept.
   */
  public static void requestLogWithoutQuery(io.dropwizard.core.server.ServerFactory server) {
    if (server instanceof io.dropwizard.core.server.AbstractServerFactory f
        && f.getRequestLogFactory()
            instanceof io.dropwizard.request.logging.LogbackAccessRequestLogFactory log) {
      for (var a : log.getAppenders()) {
        if (a instanceof io.dropwizard.logging.common.AbstractAppenderFactory<?> af
            && af.getLogFormat() == null) {
          af.setLogFormat(
              "%h %l %u [%t{dd/MMM/yyyy:HH:mm:ss Z,UTC}] \"%m %U %H\" %s %b \"%i{Referer}\""
                  + " \"%i{User-Agent}\" %D");
        }
      }
    }
  }

  /**
   * Dropwizard's OAuth filter also accepts a token as the {@code access_token} query parameter,
   * which ends up in request logs, proxies' logs and browser histories. Tokens go in the {@code
   * Authorization} header only: a request carrying the parameter is refused (401) before it is
   * authenticated.
   */
  @jakarta.ws.rs.container.PreMatching
  @jakarta.annotation.Priority(jakarta.ws.rs.Priorities.AUTHENTICATION - 100)
  public static final class RefuseTokensInUrls
      implements jakarta.ws.rs.container.ContainerRequestFilter {
    @Override
    public void filter(jakarta.ws.rs.container.ContainerRequestContext request) {
      if (request.getUriInfo().getQueryParameters().containsKey("access_token")) {
        request.abortWith(
            jakarta.ws.rs.core.Response.status(401)
                .type(jakarta.ws.rs.core.MediaType.APPLICATION_JSON_TYPE)
                .entity(
                    new io.dropwizard.jersey.errors.ErrorMessage(
                        401,
                        "a token in the URL is refused: send it as 'Authorization: Bearer <token>'"))
                .build());
      }
    }
  }

  /**
   * Answers under {@code /api/} carry {@code Cache-Control: no-store}: runs, findings (keys and
   * user ids) and reports are read with a token and are no page for a browser's or a proxy's cache
   * (review of session 19: they carried no caching header at all).
   */
  public static final class NoStoreForApi
      implements jakarta.ws.rs.container.ContainerResponseFilter {
    @Override
    public void filter(
        jakarta.ws.rs.container.ContainerRequestContext request,
        jakarta.ws.rs.container.ContainerResponseContext response) {
      if (request.getUriInfo().getPath().startsWith("api/")
          && !response.getHeaders().containsKey("Cache-Control")) {
        response.getHeaders().putSingle("Cache-Control", "no-store");
      }
    }
  }

  /** A configuration refused at start-up: its message is all there is to print. */
  static final class ConfigProblems extends IllegalArgumentException {
    ConfigProblems(List<String> problems) {
      super(IntegrityAuditorConfiguration.problemsMessage(problems));
    }
  }

  /**
   * {@code server} refusing its configuration prints the problems, one per line (before: with a
   * stack trace), or the file's syntax error alone, without a secret substituted into it (before:
   * three times, in the stack trace's messages), and exits 2 ({@link #onFatalError}); any other
   * failure to start prints its stack trace, redacted the same way. {@code check} refuses what
   * {@code server} refuses (Dropwizard's own only parsed and bean-validated the file, and said
   * "Configuration is OK" for an unknown endpoint, a bad cron or time zone).
   */
  @Override
  protected void addDefaultCommands(Bootstrap<IntegrityAuditorConfiguration> bootstrap) {
    bootstrap.addCommand(
        new io.dropwizard.core.cli.ServerCommand<>(this) {
          @Override
          public void onError(
              io.dropwizard.core.cli.Cli cli,
              net.sourceforge.argparse4j.inf.Namespace namespace,
              Throwable e) {
            if (e instanceof ConfigProblems
                || e instanceof io.dropwizard.configuration.ConfigurationException
                || e instanceof io.integrityauditor.config.Secrets.UnsetVariable) {
              cli.getStdErr()
                  .println(
                      io.integrityauditor.config.Secrets.redactConfigurationError(e.getMessage()));
            } else if (e instanceof java.io.FileNotFoundException
                || e instanceof java.nio.file.NoSuchFileException) {
              // one line, as audit and check say it (review 1 of session 20: a stack trace)
              cli.getStdErr()
                  .println("error: cannot read the configuration file: " + e.getMessage());
            } else {
              java.io.StringWriter trace = new java.io.StringWriter();
              e.printStackTrace(new java.io.PrintWriter(trace));
              cli.getStdErr()
                  .print(
                      io.integrityauditor.config.Secrets.redactConfigurationError(
                          trace.toString()));
              cli.getStdErr().flush();
            }
          }
        });
    bootstrap.addCommand(new CheckCommand(this));
  }

  @Override
  public void run(IntegrityAuditorConfiguration config, Environment environment) {
    List<String> problems = config.problems();
    if (!problems.isEmpty()) {
      throw new ConfigProblems(problems);
    }
    io.integrityauditor.config.SecretLogFilter.install(
        new io.integrityauditor.audit.EndpointConnector(
                config.getEndpoints(), java.time.Duration.ZERO, java.time.Duration.ZERO)
            .withOtherSecrets(config.nonEndpointSecrets())
            .secrets());
    adminOnLoopback(config.getServerFactory());
    requestLogWithoutQuery(config.getServerFactory());
    ServiceSettings service = config.getService();
    ObjectMapper json = environment.getObjectMapper();
    Clock clock = Clock.systemUTC();

    StateStore store = new StateStore(config.getStateDatabase());
    List<String> applied = store.migrate();
    if (!applied.isEmpty()) {
      LOG.info("state database {}: applied {}", store.displayUrl(), applied);
    }
    environment.lifecycle().manage(onStop(store::close));
    environment.lifecycle().manage(compactor(store));
    RunDao runs = store.runs();

    AuditService audits =
        Wiring.auditService(config)
            .withRestoreLedger(new io.integrityauditor.store.StateRestoreLedger(store));
    List<String> catalog = audits.catalogProblems();
    if (!catalog.isEmpty()) {
      throw new ConfigProblems(catalog);
    }
    AuditRunner runner =
        new AuditRunner(
            audits,
            runs,
            json,
            clock,
            instanceId(),
            Duration.ofMillis(service.getHeartbeatInterval().toMilliseconds()),
            Duration.ofMillis(service.getCheckpointInterval().toMilliseconds()));
    AuditScheduler scheduler = new AuditScheduler(config.getDatasets(), store, runner, service);
    io.integrityauditor.store.ScheduleStarts starts =
        new io.integrityauditor.store.ScheduleStarts(
            store, config.getDatasets(), scheduler::scheduleStart);
    Watchdog watchdog = new Watchdog(runs, runner, scheduler, service, clock);
    WeeklyReports weekly = weeklyReports(config, store, runs, json, clock, starts);
    scheduler.addJob(WeeklyReportJob.registration(weekly, config.getReport()));
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
                config.getAudit().getMaxReplicaLag().toMilliseconds() / 1000.0)
            .withScheduleStart(starts::start));

    // Location: /api/audits/{id} as the contract says; Jersey would otherwise absolutize it
    // against the request's host, which behind a proxy is not the address clients use.
    environment
        .jersey()
        .property(ServerProperties.LOCATION_HEADER_RELATIVE_URI_RESOLUTION_DISABLED, true);
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
                    // Errors are JSON like every other one ({"code": 401, "message": ...}), not
                    // the default handler's text/plain; WWW-Authenticate is kept.
                    .setUnauthorizedHandler(new JSONUnauthorizedHandler())
                    .buildAuthFilter()));
    environment.jersey().register(new RefuseTokensInUrls());
    environment.jersey().register(new NoStoreForApi());
    environment.jersey().register(RolesAllowedDynamicFeature.class);
    environment.jersey().register(new AuthValueFactoryProvider.Binder<>(ApiUser.class));
    environment.jersey().register(new AuditResource(runner, scheduler, runs, json));
    environment.jersey().register(new DatasetResource(config.getDatasets(), runs, json));
    environment.jersey().register(new MetricsResource(registry));
    environment.jersey().register(new WeeklyReportResource(weekly));
    environment.jersey().register(new WhoAmIResource());
    environment.jersey().register(new ConsoleResource());

    environment.healthChecks().register("state-database", new StateDatabaseHealthCheck(store));
    environment.healthChecks().register("scheduler", new SchedulerHealthCheck(scheduler));
  }

  /** The weekly report: computed from the state database, never showing a secret of the config. */
  private static WeeklyReports weeklyReports(
      IntegrityAuditorConfiguration config,
      StateStore store,
      RunDao runs,
      ObjectMapper json,
      Clock clock,
      io.integrityauditor.store.ScheduleStarts starts) {
    List<String> secrets = new java.util.ArrayList<>();
    config.getAuth().getTokens().forEach(t -> secrets.add(t.token()));
    config.getEndpoints().values().forEach(e -> secrets.add(e.password()));
    secrets.add(config.getStateDatabase().getPassword());
    secrets.add(config.getReport().getWebhookUrl());
    if (config.getReport().getSmtp() != null) {
      secrets.add(config.getReport().getSmtp().password());
    }
    secrets.removeIf(s -> s == null || s.isBlank());
    ReportDao dao = store.jdbi().onDemand(ReportDao.class);
    WeeklyReportBuilder builder =
        new WeeklyReportBuilder(
                config.getDatasets(),
                dao,
                runs,
                json,
                ZoneId.of(config.getService().getTimeZone()),
                config.getReport().getFindingsPerCopy(),
                secrets)
            .withScheduleStart(starts::start);
    return new WeeklyReports(
        builder,
        dao,
        new ReportDelivery(config.getReport()),
        json,
        clock,
        config.getReport().zone());
  }

  /**
   * Compacts an embedded H2 state database every 10 minutes, and once a minute after the start
   * (StateStore#compact: its file otherwise grows with every run, ~140 times its data).
   */
  private static Managed compactor(StateStore store) {
    java.util.concurrent.ScheduledExecutorService executor =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "state-compaction");
              t.setDaemon(true);
              return t;
            });
    return new Managed() {
      @Override
      public void start() {
        executor.scheduleWithFixedDelay(
            () -> {
              try {
                long[] sizes = store.compact(2000);
                if (sizes != null) {
                  LOG.debug("state database compacted: {} -> {} bytes", sizes[0], sizes[1]);
                }
              } catch (RuntimeException e) {
                LOG.warn("{}", e.getMessage());
              }
            },
            1,
            10,
            java.util.concurrent.TimeUnit.MINUTES);
      }

      @Override
      public void stop() {
        executor.shutdownNow();
      }
    };
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
