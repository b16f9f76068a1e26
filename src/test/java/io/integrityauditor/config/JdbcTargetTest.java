package io.integrityauditor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Which JDBC URLs name the same database: the guard that keeps a restore drill off primaries and
 * replicas.
 */
class JdbcTargetTest {
  private static boolean same(String a, String b) {
    boolean ab = JdbcTarget.of(a).sameDatabase(JdbcTarget.of(b));
    assertThat(JdbcTarget.of(b).sameDatabase(JdbcTarget.of(a))).as("symmetric").isEqualTo(ab);
    return ab;
  }

  private static String hostPortDb(String url) {
    JdbcTarget t = JdbcTarget.of(url);
    return t.host() + "|" + t.port() + "|" + t.database();
  }

  @Test
  void ipv6HostsAreReadWholeAndLoopbackAddressesAreLocalhost() {
    assertThat(hostPortDb("jdbc:postgresql://[::1]:5432/rv1_p")).isEqualTo("::1|5432|rv1_p");
    assertThat(hostPortDb("jdbc:postgresql://[::1]/rv1_p")).isEqualTo("::1|5432|rv1_p");
    assertThat(hostPortDb("jdbc:mariadb://[::1]:3307/rv1_m")).isEqualTo("::1|3307|rv1_m");
    assertThat(same("jdbc:postgresql://[::1]:5432/rv1_p", "jdbc:postgresql://localhost:5432/rv1_p"))
        .isTrue();
    assertThat(same("jdbc:postgresql://[::1]/rv1_p", "jdbc:postgresql://[::1]/rv1_b")).isFalse();
    assertThat(
            same(
                "jdbc:postgresql://[0:0:0:0:0:0:0:1]/rv1_p",
                "jdbc:postgresql://127.0.0.1:5432/rv1_p"))
        .isTrue();
    assertThat(same("jdbc:postgresql://[::1]:5433/rv1_p", "jdbc:postgresql://localhost/rv1_p"))
        .isFalse();
    assertThat(same("jdbc:postgresql://[2001:db8::1]/x", "jdbc:postgresql://[2001:DB8:0:0::1]/x"))
        .isTrue();
    assertThat(same("jdbc:postgresql://[2001:db8::1]/x", "jdbc:postgresql://[2001:db8::2]/x"))
        .isFalse();
    assertThat(same("jdbc:mariadb://[::1]:3306/rv1_m", "jdbc:mariadb://127.0.0.1/rv1_m")).isTrue();
  }

  /**
   * Regression (review 3 of session 20): a backup endpoint at 127.1 on the primary's port and
   * database was not the primary, and the restore drill ran pg_restore --clean on the primary
   * (libpq reads every inet_aton form).
   */
  @Test
  void everyFormOfAnIpv4AddressIsThatAddress() {
    String primary = "jdbc:postgresql://127.0.0.1:5441/app";
    for (String host :
        new String[] {
          "127.1",
          "127.0.1",
          "2130706433",
          "0x7f.1",
          "0x7f000001",
          "0177.0.0.1",
          "127.000.000.001",
          "0X7F.0.0.1",
          "127.1.2.3",
          "localhost"
        }) {
      assertThat(same("jdbc:postgresql://" + host + ":5441/app", primary)).as(host).isTrue();
    }
    assertThat(JdbcTarget.inetAton("10.1")).isEqualTo("10.0.0.1");
    assertThat(JdbcTarget.inetAton("192.168.257")).isEqualTo("192.168.1.1");
    assertThat(JdbcTarget.inetAton("3232235777")).isEqualTo("192.168.1.1");
    assertThat(same("jdbc:postgresql://10.1:5432/app", "jdbc:postgresql://10.0.0.1/app")).isTrue();
    assertThat(same("jdbc:postgresql://10.2:5432/app", "jdbc:postgresql://10.0.0.1/app")).isFalse();
    for (String notAnAddress :
        new String[] {
          "1password.example",
          "10.0.0.1.nip.io",
          "256.1.1.1",
          "1.2.3.4.5",
          "08.1",
          "1.-1",
          "4294967296",
          "db1"
        }) {
      assertThat(JdbcTarget.inetAton(notAnAddress)).as(notAnAddress).isNull();
    }
  }

  @Test
  void aMultiHostUrlIsTheSameDatabaseAsEachOfItsHosts() {
    String pg = "jdbc:postgresql://127.0.0.1:5432,localhost:5432/rv1_p?targetServerType=primary";
    assertThat(hostPortDb(pg)).isEqualTo("127.0.0.1|5432|rv1_p");
    assertThat(same(pg, "jdbc:postgresql://localhost:5432/rv1_p")).isTrue();
    assertThat(same(pg, "jdbc:postgresql://localhost:5432/rv1_b")).isFalse();
    assertThat(same("jdbc:postgresql://db1:5433,db2/app", "jdbc:postgresql://DB2:5432/app"))
        .isTrue();
    assertThat(same("jdbc:postgresql://db1:5433,db2/app", "jdbc:postgresql://db1/app")).isFalse();
    assertThat(same("jdbc:postgresql://db1:5433,db2/app", "jdbc:postgresql://db3,db4/app"))
        .isFalse();
    String ma = "jdbc:mariadb://127.0.0.1:3306,127.0.0.1:3306/rv1_m";
    assertThat(hostPortDb(ma)).isEqualTo("127.0.0.1|3306|rv1_m");
    assertThat(same(ma, "jdbc:mariadb://localhost:3306/rv1_m")).isTrue();
    assertThat(same(ma, "jdbc:mariadb://localhost:3306/rv1_b")).isFalse();
  }

  @Test
  void hostlessPostgresUrlsAndMariaDbModes() {
    assertThat(hostPortDb("jdbc:postgresql:rv1_p")).isEqualTo("localhost|5432|rv1_p");
    assertThat(same("jdbc:postgresql:rv1_p", "jdbc:postgresql://localhost:5432/rv1_p")).isTrue();
    assertThat(same("jdbc:postgresql:rv1_p", "jdbc:postgresql://db1/rv1_p")).isFalse();
    assertThat(same("jdbc:postgresql:rv1_p", "jdbc:postgresql://[::1]/rv1_b")).isFalse();
    // not a pgjdbc URL: whatever server it means, it may be the primary's
    assertThat(same("jdbc:postgresql:/rv1_p", "jdbc:postgresql://db1/rv1_p")).isTrue();
    assertThat(same("jdbc:postgresql:/rv1_p", "jdbc:postgresql://db1/rv1_b")).isFalse();
    for (String mode : List.of("replication", "sequential", "loadbalance", "load-balance")) {
      String url = "jdbc:mariadb:" + mode + "://h1,h2:3307/db";
      assertThat(hostPortDb(url)).as(url).isEqualTo("h1|3306|db");
      assertThat(same(url, "jdbc:mariadb://h2:3307/db")).as(url).isTrue();
      assertThat(same(url, "jdbc:mariadb://h1/db")).as(url).isTrue();
      assertThat(same(url, "jdbc:mariadb://h2/db")).as(url).isFalse();
      assertThat(same(url, "jdbc:mariadb://h1/db2")).as(url).isFalse();
    }
    assertThat(same("jdbc:mysql:replication://h1,h2/db", "jdbc:mariadb://h2:3306/db")).isTrue();
    assertThat(same("jdbc:mysql://localhost/rv1_m", "jdbc:mariadb://127.0.0.1:3306/rv1_m"))
        .isTrue();
    String address =
        "jdbc:mariadb:replication://address=(host=h1)(port=3307)(type=primary),"
            + "address=(host=h2)(type=replica)/db";
    assertThat(hostPortDb(address)).isEqualTo("h1|3307|db");
    assertThat(same(address, "jdbc:mariadb://h2/db")).isTrue();
    assertThat(same(address, "jdbc:mariadb://h1/db")).isFalse();
  }

  @Test
  void defaultPortsParametersAndWhatCannotBeRead() {
    assertThat(same("jdbc:mariadb://h/db", "jdbc:mariadb://h:3306/db")).isTrue();
    assertThat(same("jdbc:mariadb://h/db", "jdbc:mariadb://h:3307/db")).isFalse();
    assertThat(same("jdbc:postgresql://h/db", "jdbc:postgresql://h:5433/db")).isFalse();
    // pgjdbc's host, port and dbname parameters win over the URL's
    assertThat(hostPortDb("jdbc:postgresql://backup/db?host=db1&port=5433"))
        .isEqualTo("db1|5433|db");
    assertThat(same("jdbc:postgresql://backup/x?host=db1&dbname=app", "jdbc:postgresql://db1/app"))
        .isTrue();
    assertThat(same("jdbc:postgresql:app?PGHOST=db1", "jdbc:postgresql://db1/app")).isTrue();
    assertThat(same("jdbc:postgresql://db1/a%20b", "jdbc:postgresql://db1/a b")).isTrue();
    // without a database, pgjdbc uses the user's name: any database of that server
    assertThat(same("jdbc:postgresql://db1/", "jdbc:postgresql://db1/app")).isTrue();
    assertThat(same("jdbc:postgresql://db2/", "jdbc:postgresql://db1/app")).isFalse();
    // a service file, a local socket: any server
    assertThat(same("jdbc:postgresql://restore/app?service=main", "jdbc:postgresql://db1/app"))
        .isTrue();
    assertThat(
            same(
                "jdbc:mariadb://restore/app?localSocket=/run/mysqld.sock",
                "jdbc:mariadb://db1/app"))
        .isTrue();
    assertThat(
            same("jdbc:mariadb://restore/app?localSocket=/run/mysqld.sock", "jdbc:mariadb://db1/x"))
        .isFalse();
    // user info is not the host
    assertThat(hostPortDb("jdbc:mysql://bob:hunter2@db/app")).isEqualTo("db|3306|app");
    assertThat(same("jdbc:mysql://bob:hunter2@db/app", "jdbc:mariadb://db/app")).isTrue();
    // URLs without servers are compared whole; engines are never one another
    assertThat(same("jdbc:h2:mem:a;DB_CLOSE_DELAY=-1", "jdbc:h2:mem:a")).isTrue();
    assertThat(same("jdbc:h2:mem:a", "jdbc:h2:mem:b")).isFalse();
    assertThat(same("jdbc:postgresql://db1/app", "jdbc:mariadb://db1:5432/app")).isFalse();
  }

  /**
   * Every server the drivers themselves read from a URL is recognised: pgjdbc's {@code
   * Driver.parseURL} and MariaDB Connector/J's {@code Configuration.parse} are the reference.
   */
  @Test
  void everyServerTheDriversConnectToIsTheSameDatabase() throws Exception {
    List<String> pg =
        List.of(
            "jdbc:postgresql://[::1]:5432/rv1_p",
            "jdbc:postgresql://127.0.0.1:5432,localhost:5432/rv1_p?targetServerType=primary",
            "jdbc:postgresql:rv1_p",
            "jdbc:postgresql://db1:5433,[2001:db8::7],db3:6000/app",
            "jdbc:postgresql://backup/app?host=db1,db2&port=5433,5434",
            "jdbc:postgresql://DB1/App%20x");
    for (String url : pg) {
      Properties p = org.postgresql.Driver.parseURL(url, null);
      String[] hosts = p.getProperty("PGHOST").split(",");
      String[] ports = p.getProperty("PGPORT").split(",");
      List<String> each = new ArrayList<>();
      for (int i = 0; i < hosts.length; i++) {
        String host = hosts[i].startsWith("[") ? hosts[i] : bracket(hosts[i]);
        each.add("jdbc:postgresql://" + host + ":" + ports[i] + "/" + p.getProperty("PGDBNAME"));
      }
      for (String one : each) {
        assertThat(same(url, one)).as(url + " vs " + one).isTrue();
        assertThat(same(url, one + "_other")).as(url + " vs " + one + "_other").isFalse();
      }
    }
    List<String> maria =
        List.of(
            "jdbc:mariadb://127.0.0.1:3306,127.0.0.1:3306/rv1_m",
            "jdbc:mariadb:replication://h1,[::1]:3307/rv1_m",
            "jdbc:mariadb:sequential://h1:3310/rv1_m",
            "jdbc:mariadb:loadbalance://h1,h2/rv1_m?connectTimeout=5",
            "jdbc:mariadb://address=(host=h1)(port=3307)(type=primary),h2/rv1_m");
    for (String url : maria) {
      var c = org.mariadb.jdbc.Configuration.parse(url);
      for (var a : c.addresses()) {
        String one = "jdbc:mariadb://" + bracket(a.host) + ":" + a.port + "/" + c.database();
        assertThat(same(url, one)).as(url + " vs " + one).isTrue();
        assertThat(same(url, one + "_other")).as(url + " vs " + one + "_other").isFalse();
      }
    }
  }

  private static String bracket(String host) {
    return host.contains(":") ? "[" + host + "]" : host;
  }
}
