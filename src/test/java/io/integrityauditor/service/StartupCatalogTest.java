package io.integrityauditor.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.testing.DropwizardTestSupport;
import io.integrityauditor.IntegrityAuditorApplication;
import io.integrityauditor.IntegrityAuditorConfiguration;
import io.integrityauditor.ServiceConfigFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE §2: an unknown table is refused at start-up, naming its field. Before, the service
 * started and every audit of that dataset failed. A primary that cannot be reached at start-up does
 * not stop the service: its tables are checked when it audits.
 */
class StartupCatalogTest {
  private static DropwizardTestSupport<IntegrityAuditorConfiguration> app(
      String dir, String primaryUrl) {
    Path config =
        ServiceConfigFile.write(
            Path.of("target", dir),
            null,
            "endpoints:\n"
                + "  p: {url: '"
                + primaryUrl
                + "'}\n"
                + "  c: {url: 'jdbc:h2:mem:startup_c'}\n"
                + "datasets:\n"
                + "  users:\n"
                + "    primary: p\n"
                + "    replicas: [c]\n"
                + "    tables: [{name: public.contacts, owner: user_id},"
                + " {name: public.nosuch, owner: user_id}]\n"
                + "report:\n"
                + "  enabled: false\n");
    return new DropwizardTestSupport<>(IntegrityAuditorApplication.class, config.toString());
  }

  @Test
  void anUnknownTableIsRefusedAtStartUp() {
    var app =
        app(
            "startup-catalog-test",
            "jdbc:h2:mem:startup_p;INIT=CREATE TABLE IF NOT EXISTS contacts(id INT PRIMARY KEY,"
                + " user_id INT)");
    try {
      assertThatThrownBy(app::before)
          .hasMessageContaining("datasets.users.tables[1]: table 'public.nosuch' does not exist")
          .hasMessageNotContaining("tables[0]");
    } finally {
      app.after();
    }
  }

  @Test
  void anUnreachablePrimaryDoesNotStopTheService() throws Exception {
    var app = app("startup-catalog-test2", "jdbc:postgresql://127.0.0.1:1/nothing");
    try {
      app.before();
      assertThat(app.getLocalPort()).isPositive();
    } finally {
      app.after();
    }
  }
}
