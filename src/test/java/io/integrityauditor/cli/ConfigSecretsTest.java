package io.integrityauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.integrityauditor.IntegrityAuditorConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every secret of a configuration, not only the endpoints' passwords, is known to the audit: API
 * tokens, the state database's password, the SMTP password and the webhook URL are redacted from
 * messages and withheld from restore commands' environment.
 */
class ConfigSecretsTest {
  @TempDir Path dir;

  @Test
  void tokensAndTheOtherSecretsAreRedactedAndWithheld() throws Exception {
    Path f = dir.resolve("c.yml");
    Files.writeString(
        f,
        """
        stateDatabase: { url: "jdbc:postgresql://127.0.0.1:5441/ia?password=state-url-pw", user: ia, password: state-pw }
        endpoints:
          p: { url: "jdbc:postgresql://127.0.0.1:5441/app", user: postgres, password: primary-pw }
        datasets:
          users:
            primary: p
            tables:
              - { name: public.contacts, key: [id], owner: user_id }
        auth:
          tokens:
            - { name: oncall, role: admin, token: admin-token-0001 }
        report:
          webhookUrl: "https://hooks.example.com/services/T0/B0/hook-secret"
          smtp: { host: mail.example.com, from: ia@example.com, to: [sre@example.com], username: ia, password: smtp-pw }
        """);
    IntegrityAuditorConfiguration config =
        new YamlConfigurationFactory<>(
                IntegrityAuditorConfiguration.class,
                Validators.newValidator(),
                Jackson.newObjectMapper(),
                "dw")
            .build(f.toFile());
    assertThat(config.nonEndpointSecrets())
        .containsExactlyInAnyOrder(
            "admin-token-0001",
            "state-pw",
            "state-url-pw",
            "smtp-pw",
            "https://hooks.example.com/services/T0/B0/hook-secret");
    var service = Wiring.auditService(config);
    assertThat(
            service.redact(
                "primary-pw admin-token-0001 state-pw smtp-pw"
                    + " https://hooks.example.com/services/T0/B0/hook-secret"))
        .isEqualTo("*** *** *** *** ***");
  }
}
