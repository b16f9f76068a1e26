package io.integrityauditor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsTest {
  @Test
  void redactsPasswordsInJdbcUrls() {
    assertThat(Secrets.redactUrl("jdbc:postgresql://db:5432/app?user=a&password=hunter2&ssl=true"))
        .isEqualTo("jdbc:postgresql://db:5432/app?user=a&password=***&ssl=true");
    assertThat(Secrets.redactUrl("jdbc:mysql://bob:hunter2@db/app")).doesNotContain("hunter2");
  }

  @Test
  void redactsKnownSecretsAnywhereInAMessage() {
    assertThat(Secrets.redact("auth failed for hunter2 at db", List.of("hunter2")))
        .isEqualTo("auth failed for *** at db");
  }

  @Test
  void endpointToStringHidesThePassword() {
    EndpointConfig e =
        new EndpointConfig("jdbc:postgresql://db/app", "auditor", "hunter2", Map.of());
    assertThat(e.toString()).doesNotContain("hunter2");
  }

  @Test
  void anEndpointsSecretsAreItsPasswordAndThoseInItsUrlAndProperties() {
    assertThat(
            Secrets.of(
                "jdbc:mariadb://root:PwUser1@db:3306/app?password=PwParam2&x=1",
                "PwField3",
                java.util.Map.of("sslPassword", "PwProp4", "ssl", "true")))
        .containsExactlyInAnyOrder("PwField3", "PwParam2", "PwUser1", "PwProp4");
    assertThat(Secrets.hasUserInfoPassword("jdbc:mariadb://root:PwUser1@db:3306/app")).isTrue();
    assertThat(Secrets.hasUserInfoPassword("jdbc:mariadb://db:3306/app?user=root")).isFalse();
  }
}
