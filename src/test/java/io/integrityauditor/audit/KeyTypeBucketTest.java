package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression (review 4 of session 24): a copy in another key order, too large to match in memory,
 * is located through buckets by a hash of the key's text, computed in SQL on each side. A key
 * (text, timestamptz) against a copy keyed (text, timestamp) printed {@code 2026-01-01 00:00:01+00}
 * on one side and {@code 2026-01-01 00:00:01} on the other: every bucket differed and the whole
 * table was matched batch by batch (103 s for 3 differences in 600,000 rows; out of memory under
 * -Xmx256m). Such keys are now bucketed by the key as the auditor reads it.
 */
class KeyTypeBucketTest {
  private static final int ROWS = 30_000;

  @org.junit.jupiter.api.BeforeEach
  void smallPages() {
    System.setProperty("ia.unorderedPageRows", "7000");
  }

  @org.junit.jupiter.api.AfterEach
  void defaultPages() {
    System.clearProperty("ia.unorderedPageRows");
  }

  @Test
  void aKeyTypedOtherwiseOnTheCopyIsBucketedByItsValue() throws Exception {
    int port = TestDatabases.PG_PRIMARY_PORT;
    String[][] sides = {{"keytype_p", "C", "timestamptz"}, {"keytype_c", "und-x-icu", "timestamp"}};
    for (String[] s : sides) {
      TestDatabases.recreatePgDatabase(port, s[0]);
      TestDatabases.execute(
          TestDatabases.pgUrl(port, s[0]),
          "SET TIME ZONE 'UTC'",
          "CREATE TABLE t (k text COLLATE \""
              + s[1]
              + "\", ts "
              + s[2]
              + ", owner int NOT NULL, v int, PRIMARY KEY (k, ts))",
          "INSERT INTO t SELECT CASE WHEN g % 2 = 0 THEN 'K' ELSE 'k' END || (g % 500),"
              + " timestamptz '2026-01-01 00:00:00+00' + g * interval '1.5 second', g % 7, g"
              + " FROM generate_series(1, "
              + ROWS
              + ") g");
    }
    TestDatabases.execute(
        TestDatabases.pgUrl(port, "keytype_c"),
        "UPDATE t SET v = -1 WHERE v = 777",
        "DELETE FROM t WHERE v = 4242",
        "INSERT INTO t VALUES ('zz', '2026-02-01 00:00:00', 3, 1)");
    AuditFixture f =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(port, "keytype_p"))
            .replica("c", TestDatabases.pgEndpoint(port, "keytype_c"))
            .table("public.t", "owner");
    ch.qos.logback.classic.Logger log =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(io.integrityauditor.engine.TableComparator.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
        new ch.qos.logback.core.read.ListAppender<>();
    seen.start();
    log.addAppender(seen);
    ch.qos.logback.classic.Level before = log.getLevel();
    log.setLevel(ch.qos.logback.classic.Level.INFO);
    AuditReport r;
    try {
      r = f.run(KeyCollationDriftTest.smallCap());
    } finally {
      log.detachAppender(seen);
      log.setLevel(before);
    }
    assertThat(AuditFixture.copy(r, "public.t", "c").error()).isNull();
    assertThat(AuditFixture.findings(r, "public.t", "c"))
        .containsExactlyInAnyOrder(
            "CHANGED k277|2026-01-01 00:19:25.5",
            "MISSING K242|2026-01-01 01:46:03",
            "EXTRA zz|2026-02-01 00:00:00");
    List<String> messages = seen.list.stream().map(e -> e.getFormattedMessage()).toList();
    assertThat(messages)
        .anySatisfy(m -> assertThat(m).contains("its rows are bucketed by the key as read"));
  }
}
