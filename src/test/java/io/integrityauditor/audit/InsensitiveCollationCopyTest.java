package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.engine.CompareSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Regression (review 4 of session 24): a copy whose key collation ignores case (an H2 database
 * created under {@code SET COLLATION ENGLISH STRENGTH PRIMARY}) held {@code K5001} where the
 * primary held {@code k5001}. The rows were found MISSING and EXTRA, then read again key by key: on
 * the copy, {@code k5001} found {@code K5001}, and both went in flight: CONSISTENT, exit 0 — a
 * missed difference.
 */
class InsensitiveCollationCopyTest {
  private static final int ROWS = 3_000;

  @Test
  void aKeyWhoseCaseChangedOnACaseInsensitiveCopyIsMissingAndExtra() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    TestDatabases.recreatePgDatabase(port, "inscoll_p");
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "inscoll_p"),
        "CREATE TABLE t (k text COLLATE \"C\" PRIMARY KEY, owner int NOT NULL, v int)",
        "INSERT INTO t SELECT 'k' || i, i % 7, i FROM generate_series(1, " + ROWS + ") i");
    String h2 = "jdbc:h2:mem:inscoll_c;DB_CLOSE_DELAY=-1";
    TestDatabases.execute(
        h2 + ";USER=sa",
        "DROP ALL OBJECTS",
        "SET COLLATION ENGLISH STRENGTH PRIMARY",
        "CREATE TABLE t (k VARCHAR(20) PRIMARY KEY, owner INT NOT NULL, v INT)",
        "INSERT INTO t SELECT 'k' || X, MOD(X, 7), X FROM SYSTEM_RANGE(1, " + ROWS + ")",
        "UPDATE t SET k = 'K501' WHERE v = 501",
        "UPDATE t SET k = 'k1000' WHERE v = 1000");
    EndpointConfig copy = new EndpointConfig(h2, "sa", "", Map.of());
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "inscoll_p"))
            .replica("c", copy)
            .table("t", "owner");
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "t", "c").error()).isNull();
    assertThat(AuditFixture.findings(r, "t", "c"))
        .containsExactlyInAnyOrder("MISSING k501", "EXTRA K501");
    assertThat(AuditFixture.copy(r, "t", "c").inFlight()).isZero();
    assertThat(r.usersAtRiskSample()).containsExactly(String.valueOf(501 % 7));
    assertThat(r.exitCode()).isEqualTo(1);
  }
}
