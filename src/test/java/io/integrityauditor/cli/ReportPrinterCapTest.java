package io.integrityauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The plain report says findings were left out when a copy lists fewer than it counts, however few
 * it lists. Regression (review 3 of session 26): with findingsCap 5, "missing 20000" was followed
 * by 5 lines and nothing said the rest was left out; the "... more" line came only past 20 lines.
 */
class ReportPrinterCapTest {
  @Test
  void aCopyListingFewerFindingsThanItCountsSaysHowManyMore() throws Exception {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    // the sample's replica counts 1 missing, 1 extra, 1 changed and lists the changed row only
    ReportPrinter.print(
        AuditCommand.sampleReport(), new PrintStream(text, true, StandardCharsets.UTF_8));
    String printed = text.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains("CHANGED  id=1  user 7  columns [email]");
    assertThat(printed).contains("    ... 2 more (--json lists 1 of the 3)");
  }

  /** A counts-only backup lists no findings by design: no "... more" line for it. */
  @Test
  void aCountsOnlyBackupSaysNothingMore() throws Exception {
    io.integrityauditor.audit.AuditReport sample = AuditCommand.sampleReport();
    io.integrityauditor.audit.AuditReport.CopyReport c =
        new io.integrityauditor.audit.AuditReport.CopyReport(
            "backup",
            "BACKUP",
            io.integrityauditor.audit.AuditReport.Status.CONSISTENT,
            4,
            0,
            3,
            0,
            0,
            java.util.List.of(),
            "JVM",
            null,
            java.util.List.of(),
            "2009-10-01T00:00:00Z",
            0,
            true,
            null);
    io.integrityauditor.audit.AuditReport.TableReport t = sample.tables().get(0);
    io.integrityauditor.audit.AuditReport r =
        new io.integrityauditor.audit.AuditReport(
            sample.id(),
            sample.dataset(),
            sample.status(),
            sample.startedAt(),
            sample.finishedAt(),
            java.util.List.of(
                new io.integrityauditor.audit.AuditReport.TableReport(
                    t.table(),
                    t.rowsChecked(),
                    t.bytesFromDatabases(),
                    java.util.List.of(c),
                    t.error())),
            sample.backups(),
            sample.replication(),
            sample.usersAtRisk(),
            sample.usersAtRiskSample(),
            sample.usersAtRiskComplete(),
            sample.error());
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    ReportPrinter.print(r, new PrintStream(text, true, StandardCharsets.UTF_8));
    String printed = text.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains("counts only");
    assertThat(printed).doesNotContain("more (--json lists");
  }
}
