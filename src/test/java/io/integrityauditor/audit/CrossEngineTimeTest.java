package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.engine.CompareSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression: TIME columns between engines. Rows hashed in the JVM read a TIME as java.sql.Time,
 * which keeps whole seconds: 13:45:01.123456 on the primary and 13:45:01.999999 on the copy, or
 * 00:00:00 and 00:00:00.000001, were equal (missed differences). Times are now read as LocalTime
 * with every fractional digit, dates as LocalDate.
 */
class CrossEngineTimeTest {
  @Test
  void fractionsOfASecondInATimeColumnDiffer() throws Exception {
    AuditFixture f =
        AuditFixture.postgresPrimaryMariaDbCopy(
            "xtime",
            List.of(
                "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, tm time(6), d date)",
                "INSERT INTO t VALUES (1, 1, '13:45:01.123456', '2024-02-29'),"
                    + " (2, 1, '00:00:00', '0001-01-01'), (3, 1, '23:59:59.999999', '1582-10-15'),"
                    + " (4, 1, '12:00:00.5', '1970-01-01')"),
            List.of(
                "CREATE TABLE t (id int PRIMARY KEY, owner int NOT NULL, tm time(6), d date)",
                "INSERT INTO t VALUES (1, 1, '13:45:01.999999', '2024-02-29'),"
                    + " (2, 1, '00:00:00.000001', '0001-01-01'),"
                    + " (3, 1, '23:59:59.999999', '1582-10-15'), (4, 1, '12:00:00.500000', '1970-01-02')"));
    AuditReport r = f.run(CompareSettings.defaults());
    assertThat(AuditFixture.copy(r, "t", "c").error()).isNull();
    assertThat(AuditFixture.findings(r, "t", "c"))
        .containsExactlyInAnyOrder("CHANGED 1", "CHANGED 2", "CHANGED 4");
  }
}
