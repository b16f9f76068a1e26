package io.integrityauditor.cli;

import io.integrityauditor.audit.AuditReport;
import io.integrityauditor.audit.AuditReport.CopyReport;
import io.integrityauditor.audit.AuditReport.FindingReport;
import io.integrityauditor.audit.AuditReport.TableReport;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;

/** The human-readable form of an audit report: users at risk first, then per table and copy. */
public final class ReportPrinter {
  private static final int SHOWN_PER_COPY = 20;

  private ReportPrinter() {}

  public static void print(AuditReport r, PrintStream out) {
    Duration took = Duration.between(Instant.parse(r.startedAt()), Instant.parse(r.finishedAt()));
    out.printf(
        "Audit %s of dataset '%s': %s in %.1f s%n",
        r.id(), r.dataset(), r.status(), took.toMillis() / 1000.0);
    if (r.error() != null) {
      out.println("Error: " + r.error());
    }
    out.printf(
        "Users at risk (their rows exist on the primary only): %d%s%n",
        r.usersAtRisk(),
        r.usersAtRisk() == 0
            ? ""
            : " - "
                + String.join(", ", r.usersAtRiskSample())
                + (r.usersAtRisk() > r.usersAtRiskSample().size() ? ", ..." : ""));
    for (AuditReport.ReplicationReport rep : r.replication()) {
      out.printf(
          "Replication %s: %s%s - %s%n",
          rep.endpoint(),
          rep.state(),
          rep.lagSeconds() == null ? "" : String.format(" (lag %.2f s)", rep.lagSeconds()),
          rep.message());
    }
    for (TableReport t : r.tables()) {
      out.printf(
          "%n%s: %,d rows checked%s%n",
          t.table(), t.rowsChecked(), t.error() == null ? "" : " - FAILED: " + t.error());
      for (CopyReport c : t.copies()) {
        out.printf("  %s (%s): %s", c.endpoint(), c.role(), c.status());
        if (c.error() != null) {
          out.printf(" - %s%n", c.error());
          continue;
        }
        out.printf(
            " - missing %d, extra %d, changed %d; users affected %d%n",
            c.missing(), c.extra(), c.changed(), c.usersAffected());
        int shown = 0;
        for (FindingReport f : c.findings()) {
          if (shown++ == SHOWN_PER_COPY) {
            out.printf(
                "    ... %d more (use --json for the full list)%n",
                c.missing() + c.extra() + c.changed() - SHOWN_PER_COPY);
            break;
          }
          out.printf(
              "    %-8s %s%s%s%n",
              f.kind(),
              key(f.key()),
              f.owner() == null ? "" : "  user " + f.owner(),
              f.columns() == null || f.columns().isEmpty() ? "" : "  columns " + f.columns());
        }
      }
    }
  }

  private static String key(Map<String, Object> key) {
    return key.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(", "));
  }
}
