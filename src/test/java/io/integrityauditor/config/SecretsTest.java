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

  /**
   * A URL password runs to the next {@code &} (or the URL's end): both drivers split parameters on
   * {@code &} only. Regression: {@code ?user=rev2_pw&password=Ab)cdSecret9} was shown as {@code
   * password=***)cdSecret9}, and {@code &password=Pg;TailSecret4} as {@code
   * password=***;TailSecret4}, in reports, the API, logs and the state database.
   */
  @Test
  void aUrlPasswordWithAParenthesisOrSemicolonIsRedactedWhole() {
    String maria = "jdbc:mariadb://127.0.0.1:3342/rev2_b?user=rev2_pw&password=Ab)cdSecret9";
    String pg = "jdbc:postgresql://127.0.0.1:5441/rev2_b?user=rev2_auditor&password=Pg;TailSecret4";
    assertThat(Secrets.redactUrl(maria))
        .isEqualTo("jdbc:mariadb://127.0.0.1:3342/rev2_b?user=rev2_pw&password=***");
    assertThat(Secrets.redactUrl(pg + "&ssl=false"))
        .isEqualTo(
            "jdbc:postgresql://127.0.0.1:5441/rev2_b?user=rev2_auditor&password=***&ssl=false");
    assertThat(Secrets.of(maria, null, null)).contains("Ab)cdSecret9");
    assertThat(Secrets.of(pg, null, null)).contains("Pg;TailSecret4");
    // a driver's message quoting the URL, redacted with the endpoint's secrets
    assertThat(
            Secrets.redact(
                "cannot open (" + maria + "): Access denied", Secrets.of(maria, null, null)))
        .isEqualTo(
            "cannot open (jdbc:mariadb://127.0.0.1:3342/rev2_b?user=rev2_pw&password=***):"
                + " Access denied");
    // and without them: at least up to the next whitespace
    assertThat(Secrets.redact("url " + pg + " refused", List.of()))
        .doesNotContain("TailSecret4")
        .endsWith("password=*** refused");
    // H2's ;PASSWORD= parameters do end at ';'
    assertThat(Secrets.redactUrl("jdbc:h2:file:./data/ia;PASSWORD=h2Secret;MODE=PostgreSQL"))
        .isEqualTo("jdbc:h2:file:./data/ia;PASSWORD=***;MODE=PostgreSQL");
  }

  /** The redaction of an endpoint's own error, as reports, the API and logs get it. */
  @Test
  void anEndpointsErrorNeverShowsTheTailOfItsUrlPassword() {
    var connector =
        new io.integrityauditor.audit.EndpointConnector(
            Map.of(
                "c",
                new EndpointConfig(
                    "jdbc:mariadb://127.0.0.1:1/rev2_b?user=rev2_pw&password=Ab)cdSecret9",
                    null,
                    null,
                    Map.of())),
            java.time.Duration.ofSeconds(5),
            java.time.Duration.ofSeconds(2));
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(() -> connector.open("c")).getMessage())
        .contains("password=***")
        .doesNotContain("cdSecret9")
        .doesNotContain("Ab)");
  }

  /**
   * Names of secrets: the README's own example {@code RESTORE_PW} was not one (only *PASS*, *PWD*,
   * ...), so its value was printed in the report's restore command, output and findings.
   */
  @Test
  void pwAsAWordNamesASecret() {
    for (String name :
        java.util.List.of(
            "RESTORE_PW", "PW", "PW_2", "DB_PW_1", "db_pw", "PGPASSWORD", "API_TOKEN")) {
      org.assertj.core.api.Assertions.assertThat(Secrets.secretName(name)).as(name).isTrue();
    }
    for (String name : java.util.List.of("HTTPWORKERS", "PWM_HOME", "HOME", "UPWARD")) {
      org.assertj.core.api.Assertions.assertThat(Secrets.secretName(name)).as(name).isFalse();
    }
  }
}
