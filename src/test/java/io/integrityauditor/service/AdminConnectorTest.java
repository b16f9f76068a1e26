package io.integrityauditor.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.testing.DropwizardTestSupport;
import io.integrityauditor.IntegrityAuditorApplication;
import io.integrityauditor.IntegrityAuditorConfiguration;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/**
 * Dropwizard's admin port (unauthenticated: {@code /tasks/log-level} changes log levels) listened
 * on every interface when the configuration named no {@code bindHost}. It listens on 127.0.0.1 now
 * unless the configuration names an address.
 */
class AdminConnectorTest {
  private static String bindHost(String server) throws Exception {
    Path f = Files.createTempFile("admin", ".yml");
    Files.writeString(f, server + "endpoints: {}\ndatasets: {}\n");
    IntegrityAuditorConfiguration config =
        new YamlConfigurationFactory<>(
                IntegrityAuditorConfiguration.class,
                Validators.newValidator(),
                Jackson.newObjectMapper(),
                "dw")
            .build(f.toFile());
    Files.delete(f);
    IntegrityAuditorApplication.adminOnLoopback(config.getServerFactory());
    var admin = ((DefaultServerFactory) config.getServerFactory()).getAdminConnectors().get(0);
    return ((HttpConnectorFactory) admin).getBindHost();
  }

  @Test
  void anAdminConnectorWithoutAnAddressListensOnLoopbackOnly() throws Exception {
    assertThat(bindHost("")).isEqualTo("127.0.0.1");
    assertThat(bindHost("server: {adminConnectors: [{type: http, port: 18081}]}\n"))
        .isEqualTo("127.0.0.1");
    assertThat(bindHost("server: {adminConnectors: [{type: http, bindHost: 0.0.0.0}]}\n"))
        .isEqualTo("0.0.0.0");
  }

  @Test
  void theRunningServiceRefusesTheAdminPortOnOtherInterfaces() throws Exception {
    InetAddress external = null;
    for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress a : Collections.list(n.getInetAddresses())) {
        if (n.isUp() && !a.isLoopbackAddress() && a instanceof Inet4Address) {
          external = a;
        }
      }
    }
    assertThat(external).as("this machine has a non-loopback IPv4 address").isNotNull();
    Path dir = Path.of("target", "admin-connector-test");
    Files.createDirectories(dir);
    Path config = dir.resolve("config.yml");
    Files.writeString(
        config,
        "server:\n"
            + "  applicationConnectors: [{type: http, port: 0, bindHost: 127.0.0.1}]\n"
            + "  adminConnectors: [{type: http, port: 0}]\n"
            + "  requestLog: {appenders: []}\n"
            + "logging: {level: WARN}\n"
            + "stateDatabase: {url: 'jdbc:h2:mem:admin_connector_state'}\n"
            + "endpoints:\n"
            + "  p: {url: 'jdbc:h2:mem:admin_p;INIT=CREATE TABLE IF NOT EXISTS contacts(id INT"
            + " PRIMARY KEY, user_id INT)'}\n"
            + "  c: {url: 'jdbc:h2:mem:admin_c'}\n"
            + "datasets:\n"
            + "  users: {primary: p, replicas: [c], tables: [{name: public.contacts, owner:"
            + " user_id}]}\n"
            + "report: {enabled: false}\n");
    var app = new DropwizardTestSupport<>(IntegrityAuditorApplication.class, config.toString());
    app.before();
    try {
      int port = app.getAdminPort();
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      }
      InetAddress other = external;
      assertThatThrownBy(
              () -> {
                try (Socket s = new Socket()) {
                  s.connect(new InetSocketAddress(other, port), 2000);
                }
              })
          .isInstanceOf(java.net.ConnectException.class);
    } finally {
      app.after();
    }
  }
}
