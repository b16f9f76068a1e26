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
}
