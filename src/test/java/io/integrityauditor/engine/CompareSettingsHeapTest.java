package io.integrityauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What one copy's comparison may hold, bounded by the heap. */
class CompareSettingsHeapTest {
  static final long MB = 1024 * 1024;

  /**
   * Regression (review 1 of session 21): {@code findingsCap: 1000000} with a million differences
   * ran a 256 MB heap out of memory and failed the table. The listed findings get their share of
   * the heap, as the rows held for matching and for the users at risk do; the counts stay exact.
   */
  @Test
  void theListedFindingsAreBoundedByTheHeap() {
    CompareSettings big = CompareSettings.defaults().withFindingsCap(1_000_000);
    CompareSettings held = big.withinHeap(256 * MB, 2);
    // a quarter of the heap for two copies, a quarter of a copy's share for its findings
    assertThat(held.findingsCap()).isEqualTo((int) (256 * MB / 4 / 2 / 4 / 400));
    assertThat(held.findingsCap()).isEqualTo(20_971);
    // a cap the heap holds is kept
    assertThat(CompareSettings.defaults().withinHeap(256 * MB, 2).findingsCap())
        .isEqualTo(CompareSettings.defaults().findingsCap());
    assertThat(big.withinHeap(64 * 1024 * MB, 1).findingsCap()).isEqualTo(1_000_000);
  }
}
