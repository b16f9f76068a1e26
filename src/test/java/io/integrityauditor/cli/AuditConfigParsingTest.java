package io.integrityauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.integrityauditor.IntegrityAuditorConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code audit} command parses its configuration with a mapper that skips the Dropwizard
 * factory's schema walk ({@link AuditCommand#parsingMapper}): the same configuration comes out, and
 * with {@code -Ddw.*} overrides, which need that walk, the full mapper is used.
 */
class AuditConfigParsingTest {
  @TempDir Path dir;

  static final String YAML =
      """
      endpoints:
        p: { url: "jdbc:postgresql://127.0.0.1:5441/app", user: postgres }
        c: { url: "jdbc:postgresql://127.0.0.1:5442/app", user: postgres, password: pw }
      datasets:
        users:
          primary: p
          replicas: [c]
          tables:
            - { name: public.contacts, key: [id], owner: user_id, exclude: [note] }
      audit: { chunkTarget: 35ms, findingsCap: 12, onePassMaxRows: 0 }
      report:
        smtp: { host: mail.example.com, port: 25, from: ia@example.com }
      server: { applicationConnectors: [ { type: http, port: 18080 } ] }
      """;

  IntegrityAuditorConfiguration parse(ObjectMapper mapper) throws Exception {
    Path f = dir.resolve("c.yml");
    Files.writeString(f, YAML);
    return new YamlConfigurationFactory<>(
            IntegrityAuditorConfiguration.class, Validators.newValidator(), mapper, "dw")
        .build(f.toFile());
  }

  @Test
  void theWalkFreeMapperParsesTheSameConfiguration() throws Exception {
    ObjectMapper app = Jackson.newObjectMapper();
    ObjectMapper lean = AuditCommand.parsingMapper(app);
    assertThat(lean).isInstanceOf(AuditCommand.NoSchemaWalkMapper.class);
    IntegrityAuditorConfiguration a = parse(app);
    IntegrityAuditorConfiguration b = parse(lean);
    assertThat(b.getEndpoints()).isEqualTo(a.getEndpoints());
    assertThat(b.getDatasets()).isEqualTo(a.getDatasets());
    assertThat(b.getAudit().getChunkTarget()).isEqualTo(a.getAudit().getChunkTarget());
    assertThat(b.getAudit().getFindingsCap()).isEqualTo(12);
    assertThat(b.getReport().getSmtp()).isEqualTo(a.getReport().getSmtp());
    assertThat(app.writeValueAsString(b.getServerFactory()))
        .isEqualTo(app.writeValueAsString(a.getServerFactory()))
        .contains("18080");
  }

  @Test
  void aListOverrideOfAPathTheFileLacksNeedsTheFullMapper() throws Exception {
    System.setProperty("dw.report.smtp.to", "ops@example.com,dba@example.com");
    try {
      ObjectMapper app = Jackson.newObjectMapper();
      assertThat(AuditCommand.parsingMapper(app)).isSameAs(app);
      assertThat(parse(AuditCommand.parsingMapper(app)).getReport().getSmtp().to())
          .isEqualTo(List.of("ops@example.com", "dba@example.com"));
      // what the walk-free mapper would have made of it: one address with a comma
      assertThat(parse(new AuditCommand.NoSchemaWalkMapper(app)).getReport().getSmtp().to())
          .isEqualTo(List.of("ops@example.com,dba@example.com"));
    } finally {
      System.clearProperty("dw.report.smtp.to");
    }
  }

  @Test
  void dropwizardSectionsAreValidatedWhenTheFileSetsThem() throws Exception {
    Path f = dir.resolve("keys.yml");
    Files.writeString(f, YAML);
    java.util.Set<String> keys =
        AuditCommand.topLevelKeys(
            new io.dropwizard.configuration.FileConfigurationSourceProvider(), f.toString());
    assertThat(keys)
        .containsExactlyInAnyOrder("endpoints", "datasets", "audit", "report", "server");
    assertThat(
            AuditCommand.topLevelKeys(
                new io.dropwizard.configuration.FileConfigurationSourceProvider(),
                dir.resolve("absent.yml").toString()))
        .isNull();

    IntegrityAuditorConfiguration c = parse(Jackson.newObjectMapper());
    ((io.dropwizard.jetty.HttpConnectorFactory)
            ((io.dropwizard.core.server.DefaultServerFactory) c.getServerFactory())
                .getApplicationConnectors()
                .get(0))
        .setPort(70_000);
    jakarta.validation.ValidatorFactory vf = Validators.newValidatorFactory();
    java.util.function.Function<java.util.Set<String>, List<String>> violations =
        inFile ->
            vf
                .usingContext()
                .traversableResolver(new AuditCommand.SectionsInFile(inFile))
                .getValidator()
                .validate(c)
                .stream()
                .map(v -> v.getPropertyPath().toString())
                .sorted()
                .toList();
    assertThat(violations.apply(keys)).containsExactly("server.applicationConnectors[0].port");
    assertThat(violations.apply(null)).containsExactly("server.applicationConnectors[0].port");
    // a file without a server section: its server is Dropwizard's default, not validated again
    // (our own sections always are: AuditCommandIT's negative findingsCap)
    assertThat(violations.apply(java.util.Set.of("endpoints", "datasets", "audit"))).isEmpty();
  }

  /**
   * Regressions: {@code audit} ran a configuration {@code server} refuses (a schedule that is no
   * cron expression, an unknown time zone), and a password in a URL's user info, which the drivers
   * take for a host or port, was printed in their errors ("Incorrect port value :
   * PwUserInfo8@127.0.0.1") into reports, the API and logs. Both are refused before anything
   * connects, each problem naming its field, the password nowhere.
   */
  @Test
  void auditRefusesWhatTheServiceRefusesAndPasswordsInUserInfo() throws Exception {
    Path f = dir.resolve("bad.yml");
    Files.writeString(
        f,
        """
        endpoints:
          p: { url: "jdbc:mariadb://root:PwUserInfo8@127.0.0.1:3341/app", user: root }
          c: { url: "jdbc:mariadb://127.0.0.1:3342/app", user: root }
        datasets:
          users:
            primary: p
            replicas: [c]
            schedule: "not a cron"
            tables: [ { name: t } ]
        service: { timeZone: Mars/Base }
        stateDatabase: { url: "jdbc:postgresql://ia:PwState41@127.0.0.1:5441/state" }
        """);
    ObjectMapper mapper = Jackson.newObjectMapper();
    IntegrityAuditorConfiguration config =
        new YamlConfigurationFactory<>(
                IntegrityAuditorConfiguration.class, Validators.newValidator(), mapper, "dw")
            .build(f.toFile());
    var out = new java.io.ByteArrayOutputStream();
    var err = new java.io.ByteArrayOutputStream();
    int code =
        AuditCommand.execute(
            config,
            null,
            null,
            null,
            true,
            mapper,
            new java.io.PrintStream(out, true),
            new java.io.PrintStream(err, true));
    assertThat(code).isEqualTo(2);
    String text = err.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(text.lines().filter(l -> l.startsWith("  * ")).map(l -> l.split(":")[0]))
        .containsExactlyInAnyOrder(
            "  * endpoints.p.url",
            "  * stateDatabase.url",
            "  * datasets.users.schedule",
            "  * service.timeZone");
    assertThat(text + out).doesNotContain("PwUserInfo8").doesNotContain("PwState41");
  }

  /** A zero timeout would turn the timeout off; two tokens alike would make roles ambiguous. */
  @Test
  void zeroTimeoutsAndRepeatedTokensAreRefused() throws Exception {
    Path f = dir.resolve("zero.yml");
    Files.writeString(
        f,
        """
        endpoints:
          p: { url: "jdbc:postgresql://127.0.0.1:5441/app", user: postgres }
          c: { url: "jdbc:postgresql://127.0.0.1:5442/app", user: postgres }
        datasets:
          users: { primary: p, replicas: [c], tables: [ { name: t } ] }
        audit: { statementTimeout: 0s, connectTimeout: 0s }
        auth:
          tokens:
            - { name: bot, role: viewer, token: same-token-1 }
            - { name: dba, role: admin, token: same-token-1 }
            - { name: bot, role: viewer, token: other-token-2 }
        """);
    IntegrityAuditorConfiguration config =
        new YamlConfigurationFactory<>(
                IntegrityAuditorConfiguration.class,
                Validators.newValidator(),
                Jackson.newObjectMapper(),
                "dw")
            .build(f.toFile());
    assertThat(io.integrityauditor.config.ConfigValidator.allProblems(config))
        .containsExactly(
            "audit.statementTimeout: must be above 0 (0 would turn the timeout off)",
            "audit.connectTimeout: must be above 0 (0 would turn the timeout off)",
            "auth.tokens[1].token: the same token as an earlier entry",
            "auth.tokens[2].name: 'bot' names an earlier token too");
  }

  /**
   * Timeouts whose driver settings cannot be represented are refused, naming the field. Regression:
   * statementTimeout 13d (MariaDB: "Optional parameter socketTimeout must be Integer, was
   * '2246405000'"; PostgreSQL: "Something unusual has occurred"), statementTimeout 30d (PostgreSQL:
   * statement_timeout "2592000000" exceeds integer range) and connectTimeout 30d ("Optional
   * parameter connectTimeout must be Integer, was '2592000000'") passed {@code check}, then failed
   * every audit.
   */
  @Test
  void timeoutsTheDriversCannotTakeAreRefused() throws Exception {
    java.util.function.Function<String, List<String>> problems =
        audit -> {
          try {
            Path f = dir.resolve("timeouts-" + System.nanoTime() + ".yml");
            Files.writeString(
                f,
                """
                endpoints:
                  p: { url: "jdbc:mariadb://127.0.0.1:3341/rev2_a", user: rev2_auditor }
                  c: { url: "jdbc:postgresql://127.0.0.1:5442/rev2_a", user: rev2_auditor }
                datasets:
                  users: { primary: p, replicas: [c], tables: [ { name: t } ] }
                audit: %s
                """
                    .formatted(audit));
            return io.integrityauditor.config.ConfigValidator.allProblems(
                new YamlConfigurationFactory<>(
                        IntegrityAuditorConfiguration.class,
                        Validators.newValidator(),
                        Jackson.newObjectMapper(),
                        "dw")
                    .build(f.toFile()));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };
    String statement =
        "audit.statementTimeout: must be at most 12 days (the drivers' socket timeout, twice"
            + " statementTimeout plus 5s, must fit an int of milliseconds)";
    String connect =
        "audit.connectTimeout: must be at most 24 days (the drivers' connect timeout must fit an"
            + " int of milliseconds)";
    assertThat(problems.apply("{ statementTimeout: 13d }")).containsExactly(statement);
    assertThat(problems.apply("{ statementTimeout: 30d }")).containsExactly(statement);
    assertThat(problems.apply("{ connectTimeout: 30d }")).containsExactly(connect);
    assertThat(problems.apply("{ statementTimeout: 1073740s, connectTimeout: 2147484s }"))
        .containsExactly(statement, connect);
    assertThat(problems.apply("{ statementTimeout: 12d, connectTimeout: 24d }")).isEmpty();
  }
}
