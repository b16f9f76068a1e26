package io.integrityauditor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.integrityauditor.IntegrityAuditorConfiguration;
import io.integrityauditor.audit.AuditReport;
import io.integrityauditor.audit.AuditRequest;
import io.integrityauditor.audit.AuditService;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/**
 * {@code audit config.yml [--dataset D] [--table T] [--user U] [--json]}: one audit, now. Exit 0
 * when every copy is consistent, 1 on findings, 2 when the audit could not complete.
 */
public final class AuditCommand extends ConfiguredCommand<IntegrityAuditorConfiguration> {
  public static final int CONSISTENT = 0;
  public static final int FINDINGS = 1;
  public static final int INCOMPLETE = 2;

  public AuditCommand() {
    super("audit", "Audit a dataset now: compare the primary with every replica and backup");
  }

  @Override
  public void configure(Subparser subparser) {
    super.configure(subparser);
    subparser.addArgument("--dataset").help("dataset to audit (default: every dataset)");
    subparser.addArgument("--table").help("only this table");
    subparser.addArgument("--user").help("only this user's rows (tables with an owner column)");
    subparser.addArgument("--json").action(Arguments.storeTrue()).help("print the JSON report");
  }

  /**
   * As {@link ConfiguredCommand#run(Bootstrap, Namespace)} — the configuration parsed and validated
   * by Dropwizard's factory — without setting up the configured logging first: this command logs
   * warnings to stderr only ({@link CliLogging}), and that set-up cost ~25 ms of every audit's
   * start. The validator comes from the factory {@link StartupWarmup} built beside the main thread,
   * its metadata of the configuration classes already built or being built; the factory parses with
   * {@link #parsingMapper}. Together -0.13 s of the start (0.97 s against 1.10 s, median of 8
   * audits of a 20,000-row table).
   */
  @Override
  @SuppressWarnings("unchecked")
  public void run(Bootstrap<?> wildcard, Namespace namespace) throws Exception {
    Bootstrap<IntegrityAuditorConfiguration> bootstrap =
        (Bootstrap<IntegrityAuditorConfiguration>) wildcard;
    jakarta.validation.ValidatorFactory warmed = StartupWarmup.validatorFactory();
    if (warmed != null) {
      bootstrap.setValidatorFactory(warmed);
    }
    String path = namespace.getString("file");
    if (path == null) {
      // Dropwizard's default configuration has no dataset: "datasets: no dataset configured"
      // said nothing about the missing argument.
      System.err.println(
          "error: no configuration file: java -jar integrity-auditor.jar audit config.yml"
              + " [--dataset D] [--table T] [--user U] [--json]");
      System.exit(INCOMPLETE);
    }
    io.dropwizard.configuration.ConfigurationFactory<IntegrityAuditorConfiguration> factory =
        bootstrap
            .getConfigurationFactoryFactory()
            .create(
                getConfigurationClass(),
                bootstrap
                    .getValidatorFactory()
                    .usingContext()
                    .traversableResolver(
                        new SectionsInFile(
                            path == null
                                ? null
                                : topLevelKeys(bootstrap.getConfigurationSourceProvider(), path)))
                    .getValidator(),
                parsingMapper(bootstrap.getObjectMapper()),
                "dw");
    IntegrityAuditorConfiguration config =
        path != null
            ? factory.build(bootstrap.getConfigurationSourceProvider(), path)
            : factory.build();
    run(bootstrap, namespace, config);
  }

  /**
   * The mapper the configuration factory parses with. Dropwizard's factory walks the whole
   * configuration class graph through Jackson's format visitor when it is created (~0.15 s of every
   * audit's start: Dropwizard's server, logging and metrics factories and all their subtypes) only
   * to know the types of {@code -Ddw.*} override paths. Without such overrides, a copy of the
   * application's mapper that skips the walk: parsing, binding, error messages and validation are
   * exactly the factory's own. With overrides, the application's mapper as it is.
   */
  static ObjectMapper parsingMapper(ObjectMapper mapper) {
    for (Object k : System.getProperties().keySet()) {
      if (k.toString().startsWith("dw.")) {
        return mapper;
      }
    }
    return new NoSchemaWalkMapper(mapper);
  }

  /** {@link #parsingMapper}'s copy. */
  static final class NoSchemaWalkMapper extends ObjectMapper {
    NoSchemaWalkMapper(ObjectMapper src) {
      super(src);
    }

    @Override
    public void acceptJsonFormatVisitor(
        Class<?> type,
        com.fasterxml.jackson.databind.jsonFormatVisitors.JsonFormatVisitorWrapper visitor) {}

    @Override
    public ObjectMapper copy() {
      return new NoSchemaWalkMapper(this);
    }
  }

  /**
   * The top-level keys of the configuration file, or null when it cannot be read as a YAML mapping
   * here (the factory then reads it and reports what is wrong).
   */
  static java.util.Set<String> topLevelKeys(
      io.dropwizard.configuration.ConfigurationSourceProvider provider, String path) {
    try (java.io.InputStream in = provider.open(path);
        com.fasterxml.jackson.core.JsonParser p =
            new com.fasterxml.jackson.dataformat.yaml.YAMLFactory().createParser(in)) {
      if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
        return null;
      }
      java.util.Set<String> keys = new java.util.HashSet<>();
      while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
        keys.add(p.currentName());
        p.nextToken();
        p.skipChildren();
      }
      return keys;
    } catch (Exception e) {
      return null;
    }
  }

  /**
   * Validation of the audit command's configuration: Dropwizard's own sections ({@code server},
   * {@code logging}, {@code metrics}, {@code admin}, {@code health}) are validated when the file
   * sets them and skipped when it does not — their defaults are Dropwizard's, valid by
   * construction, and validating them built Hibernate Validator's metadata of every server and
   * logging factory (25 ms of the start on an idle machine, 0.19 s with both cores busy).
   * Everything the file says is validated as before.
   */
  static final class SectionsInFile implements jakarta.validation.TraversableResolver {
    static final java.util.Set<String> DROPWIZARD =
        java.util.Set.of("server", "logging", "metrics", "admin", "health");

    /** The file's top-level keys; null: unknown, every section is validated. */
    private final java.util.Set<String> inFile;

    SectionsInFile(java.util.Set<String> inFile) {
      this.inFile = inFile;
    }

    @Override
    public boolean isReachable(
        Object bean,
        jakarta.validation.Path.Node property,
        Class<?> root,
        jakarta.validation.Path path,
        java.lang.annotation.ElementType type) {
      return true;
    }

    @Override
    public boolean isCascadable(
        Object bean,
        jakarta.validation.Path.Node property,
        Class<?> root,
        jakarta.validation.Path path,
        java.lang.annotation.ElementType type) {
      return inFile == null
          || !(bean instanceof IntegrityAuditorConfiguration)
          || !DROPWIZARD.contains(property.getName())
          || inFile.contains(property.getName());
    }
  }

  /**
   * A configuration error is the user's to fix: print what and where, not a stack trace; never a
   * secret the configuration read from the environment ({@link
   * io.integrityauditor.config.Secrets#redactConfigurationError}).
   */
  @Override
  public void onError(io.dropwizard.core.cli.Cli cli, Namespace namespace, Throwable e) {
    String message =
        e instanceof io.dropwizard.configuration.ConfigurationException
                || e instanceof io.integrityauditor.config.Secrets.UnsetVariable
            ? e.getMessage()
            : e instanceof java.io.FileNotFoundException
                    || e instanceof java.nio.file.NoSuchFileException
                ? "error: cannot read the configuration file: " + e.getMessage()
                : "error: " + e;
    cli.getStdErr().println(io.integrityauditor.config.Secrets.redactConfigurationError(message));
  }

  @Override
  protected void run(
      Bootstrap<IntegrityAuditorConfiguration> bootstrap,
      Namespace ns,
      IntegrityAuditorConfiguration config) {
    Trace.at("configuration parsed and validated");
    CliLogging.quiet();
    boolean json = Boolean.TRUE.equals(ns.getBoolean("json"));
    warmReport(bootstrap.getObjectMapper(), json);
    System.exit(
        execute(
            config,
            ns.getString("dataset"),
            ns.getString("table"),
            ns.getString("user"),
            json,
            bootstrap.getObjectMapper(),
            System.out,
            System.err));
  }

  /**
   * Prints a made-up report of every kind of entry, into nothing, on a daemon thread while the
   * audit runs: the first report a JVM prints builds its serializers (Jackson's, through
   * Dropwizard's mapper) or formats, ~50 ms of the end of every audit, now done while the audit
   * prepares (its sessions opening, mostly waiting).
   */
  static void warmReport(ObjectMapper mapper, boolean json) {
    Thread t =
        new Thread(
            () -> {
              try {
                AuditReport sample = sampleReport();
                if (json) {
                  mapper.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsString(sample);
                } else {
                  ReportPrinter.print(sample, new PrintStream(OutputStream.nullOutputStream()));
                }
              } catch (Exception | LinkageError e) {
                // only a warm-up: the real report is printed, or its error reported, as always
              }
            },
            "report-warm-up");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  /** A report with one entry of every kind it can hold ({@link #warmReport}). */
  static AuditReport sampleReport() {
    AuditReport.FindingReport finding =
        new AuditReport.FindingReport("CHANGED", java.util.Map.of("id", 1L), "7", List.of("email"));
    AuditReport.CopyReport copy =
        new AuditReport.CopyReport(
            "replica",
            "REPLICA",
            AuditReport.Status.FINDINGS,
            1,
            1,
            1,
            0,
            1,
            List.of(finding),
            "NATIVE",
            null,
            List.of("7"),
            null,
            0,
            false,
            null);
    AuditReport.BackupReport backup =
        new AuditReport.BackupReport(
            "backup",
            "2009-10-01T00:00:00Z",
            1L,
            false,
            "asOf query",
            1L,
            "f",
            "2009-10-01T00:00:00Z",
            1L,
            1L,
            new AuditReport.RestoreReport("true", 0, 1, false, ""),
            true,
            List.of("t"),
            0,
            0,
            List.of(new AuditReport.BackupFindingReport("STALE", "m")),
            null,
            List.of("g (growing)"));
    return new AuditReport(
        "sample",
        "sample",
        AuditReport.Status.FINDINGS,
        "2009-10-01T00:00:00Z",
        "2009-10-01T00:00:01Z",
        List.of(new AuditReport.TableReport("t", 1, 1, List.of(copy), null)),
        List.of(backup),
        List.of(new AuditReport.ReplicationReport("replica", "STREAMING", 0.0, null)),
        1,
        List.of("7"),
        true,
        null);
  }

  /** Runs the audit and prints it; returns the exit code. */
  public static int execute(
      IntegrityAuditorConfiguration config,
      String dataset,
      String table,
      String user,
      boolean json,
      ObjectMapper mapper,
      PrintStream out,
      PrintStream err) {
    List<String> problems = config.problems();
    if (!problems.isEmpty()) {
      err.println("The configuration has errors:");
      problems.forEach(p -> err.println("  * " + p));
      return INCOMPLETE;
    }
    AuditService service = Wiring.auditService(config);
    List<String> targets = new ArrayList<>();
    if (dataset != null) {
      targets.add(dataset);
    } else {
      targets.addAll(config.getDatasets().keySet());
      if (table != null || user != null) {
        // Every dataset the table or user can be in; the others are left out, and only when none
        // fits is the audit refused. Regression: the datasets before the first that did not fit
        // were audited and their reports thrown away (exit 2, nothing on stdout), and the first
        // dataset's own failure ("user 'abc' is not a value of the owner column") never shown.
        List<String> fitting = new ArrayList<>();
        String refused = null;
        for (String d : targets) {
          try {
            service.validate(new AuditRequest(d, table, user));
            fitting.add(d);
          } catch (AuditService.UnknownTargetException e) {
            refused = refused == null ? e.getMessage() : refused;
          }
        }
        if (fitting.isEmpty()) {
          err.println("error: " + refused);
          return INCOMPLETE;
        }
        targets = fitting;
      }
    }
    List<AuditReport> reports = new ArrayList<>();
    int code = CONSISTENT;
    for (String d : targets) {
      AuditReport r;
      AtomicBoolean estimated = new AtomicBoolean();
      try {
        AuditRequest request = new AuditRequest(d, table, user);
        List<String> names = service.tables(request).stream().map(t -> t.name()).toList();
        ProgressPrinter printer = new ProgressPrinter(err, names);
        if (names.size() > 1 && user == null) {
          // The whole audit's time left needs every table's size: read from the catalog beside
          // the audit (one more session on the primary), never delaying it.
          Thread estimates =
              new Thread(
                  () -> {
                    try {
                      printer.estimates(service.estimatedRows(request, estimated));
                    } catch (RuntimeException e) {
                      // no audit-wide ETA
                    }
                  },
                  "progress-estimates");
          estimates.setDaemon(true);
          estimates.start();
        }
        r = service.run(request, printer, new AtomicBoolean());
      } catch (AuditService.UnknownTargetException e) {
        err.println("error: " + e.getMessage());
        return INCOMPLETE;
      } finally {
        estimated.set(true);
      }
      reports.add(r);
      code = Math.max(code, r.exitCode());
      long rows = r.tables().stream().mapToLong(t -> t.rowsChecked()).sum();
      long bytes = r.tables().stream().mapToLong(t -> t.bytesFromDatabases()).sum();
      double secs =
          java.time.Duration.between(
                      java.time.Instant.parse(r.startedAt()),
                      java.time.Instant.parse(r.finishedAt()))
                  .toMillis()
              / 1000.0;
      err.printf(
          "audit: dataset %s %s: %,d rows checked in %.2f s (%,.0f rows/s), %,d bytes from the databases%n",
          d, r.status(), rows, secs, rows / Math.max(secs, 0.001), bytes);
    }
    Trace.at("audit done, printing the report");
    try {
      if (json) {
        // Dropwizard's own mapper (Jackson.newObjectMapper(), already initialised at start-up).
        // Streamed, not built as one string first: the report of 200 tables of 1,000 findings
        // each (27.6 MB) ran out of memory under -Xmx128m after the audit had finished, exit 2
        // and nothing printed (review 3 of session 26).
        mapper
            .writer(SerializationFeature.INDENT_OUTPUT)
            .without(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .writeValue(out, reports.size() == 1 ? reports.get(0) : reports);
        out.println();
      } else {
        for (AuditReport r : reports) {
          ReportPrinter.print(r, out);
        }
      }
    } catch (Exception e) {
      err.println("error: cannot print the report: " + e.getMessage());
      return INCOMPLETE;
    }
    out.flush();
    Trace.at("report printed");
    return code;
  }
}
