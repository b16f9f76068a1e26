package io.integrityauditor.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.TableShape;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A key's sort order names the collation library's version: the same locale under another glibc (or
 * ICU) on the copy's server may sort the key otherwise (the classic glibc 2.28 upgrade), so its key
 * ranges would not hold the primary's rows. With the version in the order, such a copy is compared
 * as one range like any other copy whose key sorts differently. "C" has no version: it sorts by
 * code point everywhere.
 */
class CollationVersionTest {
  @Test
  void postgresKeyOrderCarriesTheCollationLibraryVersion() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(port, "collversion");
    String url = TestDatabases.pgUrl(port, "collversion");
    TestDatabases.execute(
        url,
        // The locale scripts/install-deps.sh generates; the cluster may predate it.
        "CREATE COLLATION de_test (provider = libc, locale = 'de_DE.UTF-8')",
        "CREATE TABLE t (a text COLLATE de_test, b text COLLATE \"C\", c text"
            + " COLLATE \"und-x-icu\", d text, owner int, PRIMARY KEY (a, b, c, d))");
    String glibc;
    String icu;
    String dflt;
    try (Connection c = TestDatabases.admin(url);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT (SELECT pg_collation_actual_version(oid) FROM pg_collation"
                    + " WHERE collname = 'de_test'),"
                    + " (SELECT pg_collation_actual_version(oid) FROM pg_collation"
                    + " WHERE collname = 'und-x-icu'),"
                    + " pg_database_collation_actual_version(oid), datcollate"
                    + " FROM pg_database WHERE datname = current_database()")) {
      rs.next();
      glibc = rs.getString(1);
      icu = rs.getString(2);
      dflt =
          PostgresDialect.sortOrder("c", null, rs.getString(4), null, "UTF8")
              + (rs.getString(3) == null ? "" : "@" + rs.getString(3));
    }
    assertThat(glibc).isNotBlank();
    assertThat(icu).isNotBlank();

    PostgresDialect d = new PostgresDialect();
    try (Connection c = TestDatabases.admin(url)) {
      d.prepareSession(c, Duration.ofSeconds(30));
      TableShape shape =
          d.describe(
              c,
              new TableCatalog.Request(
                  "public.t", List.of("a", "b", "c", "d"), "owner", null, List.of()));
      List<String> order = d.keyOrder(c, shape);
      assertThat(order)
          .containsExactly(
              "libc:de_de.utf8@" + glibc,
              "binary",
              "icu:und@" + icu,
              dflt.startsWith("binary") ? "binary" : dflt);
    }
  }
}
