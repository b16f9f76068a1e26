package io.integrityauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Progress across the tables of an audit. Regression (session 22's known limitations): the audit
 * command said nothing of which table of how many it was in, nor how long the whole audit had left,
 * and a run of many tables each shorter than the print interval printed nothing at all.
 */
class ProgressPrinterTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private List<String> lines() {
    return bytes.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void severalTablesSayWhichTableAndTheWholeAuditsTimeLeft() throws Exception {
    ProgressPrinter p = new ProgressPrinter(err, List.of("a", "b", "c"), 0);
    p.estimates(Map.of("a", 100_000L, "b", 200_000L, "c", 300_000L));
    p.tableStarted("a", 100_000);
    Thread.sleep(20);
    p.chunkScanned("a", 100_000, 10_000_000L);
    p.tableStarted("b", 200_000);
    Thread.sleep(20);
    p.chunkScanned("b", 50_000, 5_000_000L);
    List<String> out = lines();
    assertThat(out).hasSize(4);
    assertThat(out.get(0)).isEqualTo("[a] table 1 of 3, ~100,000 rows");
    assertThat(out.get(1))
        .matches(
            "\\[a\\] table 1 of 3, chunk 1, 100,000 rows of ~100,000, [0-9,]+ rows/s; audit: ETA"
                + " \\d+ s");
    assertThat(out.get(2)).matches("\\[b\\] table 2 of 3, ~200,000 rows; audit: ETA \\d+ s");
    assertThat(out.get(3))
        .matches(
            "\\[b\\] table 2 of 3, chunk 1, 50,000 rows of ~200,000, [0-9,]+ rows/s, ETA \\d+ s;"
                + " audit: ETA \\d+ s");
    // 450,000 rows left at 0.1 s per 1,000,000 in the chunk queries, and c's share of the ~40 ms
    // the tables took beyond them
    long etaSeconds = Long.parseLong(out.get(3).replaceAll(".*audit: ETA (\\d+) s$", "$1"));
    assertThat(etaSeconds).isLessThan(5);
  }

  /**
   * Small tables first say nothing of the whole audit's time left. Regression (review 5 of session
   * 23): a statement's fixed cost over six 5-row tables made "audit: ETA 7693 s" with 9 s left.
   */
  @Test
  void aFewRowsSayNothingOfTheWholeAuditsTimeLeft() {
    ProgressPrinter p = new ProgressPrinter(err, List.of("a", "b", "c"), 0);
    p.estimates(Map.of("a", 5L, "b", 5L, "c", 1_000_000L));
    p.tableStarted("a", 5);
    p.chunkScanned("a", 5, 300_000_000L);
    p.tableStarted("b", 5);
    p.chunkScanned("b", 5, 300_000_000L);
    p.tableStarted("c", 1_000_000);
    assertThat(lines()).hasSize(5).noneMatch(l -> l.contains("audit: ETA"));
  }

  @Test
  void aTableOfUnknownSizeLeavesTheWholeAuditsTimeLeftOut() {
    ProgressPrinter p = new ProgressPrinter(err, List.of("a", "b"), 0);
    p.estimates(Map.of("a", 1000L, "b", -1L));
    p.tableStarted("a", 1000);
    p.chunkScanned("a", 10, 1);
    assertThat(lines()).hasSize(2).noneMatch(l -> l.contains("audit: ETA"));
    assertThat(lines().get(1)).startsWith("[a] table 1 of 2, chunk 1, 10 rows of ~1,000");
  }

  @Test
  void oneTablePrintsAsBefore() {
    ProgressPrinter p = new ProgressPrinter(err, List.of("a"), 0);
    p.tableStarted("a", -1);
    p.onePassStarted("a");
    p.chunkScanned("a", 10, 1);
    assertThat(lines()).hasSize(2);
    assertThat(lines().get(0)).isEqualTo("[a] one pass: one statement per side over all rows");
    assertThat(lines().get(1)).matches("\\[a\\] chunk 1, 10 rows, [0-9,]+ rows/s");
  }

  @Test
  void theIntervalRunsAcrossTables() throws Exception {
    ProgressPrinter p = new ProgressPrinter(err, List.of("a", "b", "c"), 50_000_000L);
    p.tableStarted("a", 10);
    p.chunkScanned("a", 10, 1);
    Thread.sleep(60);
    p.tableStarted("b", 10); // 60 ms since the audit began: printed, though b just started
    p.chunkScanned("b", 10, 1);
    p.tableStarted("c", 10);
    assertThat(lines()).containsExactly("[b] table 2 of 3, ~10 rows");
  }

  /**
   * The whole audit's time left counts rows at the cost the chunk queries showed, and leaves
   * restore drills out. Regression (review 3 of session 23): rows left at the audit's rate since
   * its start said "ETA 5054 s" 7 s before the end, after small tables and a restore drill.
   */
  @Test
  void theWholeAuditsTimeLeftIsRowsAtTheirQueryCostNotTheRateSinceTheStart() throws Exception {
    ProgressPrinter p = new ProgressPrinter(err, List.of("a", "b", "c"), 0);
    p.estimates(Map.of("a", 10L, "b", 1_000_000L, "c", 1_000_000L));
    p.restoring(true);
    Thread.sleep(1500);
    p.restoring(false);
    p.tableStarted("a", 10);
    p.chunkScanned("a", 10, 1_000_000L);
    p.tableStarted("b", 1_000_000);
    // 100,000 rows in 0.1 s of queries: 1.9 M rows left, ~1.9 s; not the ~20 s that 100,010 rows
    // in the 1.6 s since the start would say
    p.chunkScanned("b", 100_000, 100_000_000L);
    String last = lines().get(lines().size() - 1);
    long eta = Long.parseLong(last.replaceAll(".*audit: ETA (\\d+) s$", "$1"));
    assertThat(eta).as(last).isBetween(1L, 5L);
  }
}
