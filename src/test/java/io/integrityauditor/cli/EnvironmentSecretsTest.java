package io.integrityauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.integrityauditor.IntegrityAuditorConfiguration;
import io.integrityauditor.config.Secrets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret the configuration reads from a {@code ${VAR}} named like one, wherever it is written (a
 * restore command's {@code -p${RESTORE_PW}}), is redacted. Regression: such a password was printed
 * in the report's restore command. Surefire sets IA_TEST_REPLICA_PASSWORD.
 */
class EnvironmentSecretsTest {
  @TempDir Path dir;

  @Test
  void aPasswordSubstitutedIntoARestoreCommandIsRedacted() throws Exception {
    Path f = dir.resolve("c.yml");
    Files.writeString(
        f,
        """
        endpoints:
          p: { url: "jdbc:postgresql://127.0.0.1:5441/app", user: postgres }
          b: { url: "jdbc:postgresql://127.0.0.1:5441/restored", user: postgres }
        datasets:
          users:
            primary: p
            backups:
              - { endpoint: b, asOf: "SELECT now()",
                  restoreCommand: "mariadb -u restorer -p${IA_TEST_REPLICA_PASSWORD} db < {newest}" }
            tables:
              - { name: public.contacts, key: [id], owner: user_id }
        """);
    IntegrityAuditorConfiguration config =
        new YamlConfigurationFactory<>(
                IntegrityAuditorConfiguration.class,
                Validators.newValidator(),
                Jackson.newObjectMapper(),
                "dw")
            .build(
                new SubstitutingSourceProvider(
                    path -> Files.newInputStream(Path.of(path)), Secrets.recordingSubstitutor()),
                f.toString());
    String command = config.getDatasets().get("users").backups().get(0).restoreCommand();
    assertThat(command).contains("-preplica-pw-7731");
    assertThat(Wiring.auditService(config).redact(command))
        .isEqualTo("mariadb -u restorer -p*** db < {newest}");
  }
}
