package io.integrityauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A changed row whose values name no differing column is read again by its row hash on both sides:
 * equal now, the difference has cleared (a copy compared as it is caught up) and the row is in
 * flight, not a finding; still different, it stays CHANGED. Regression (review of session 19): a
 * copy written 50 ms after its primary reported {@code CHANGED} rows with {@code "columns": []},
 * their owners at risk, in 7 of 8 audits under 200 updates/s.
 */
class ClearedDifferenceTest {
  static CopyOutcome compare(DecodeTest.Rows primary, DecodeTest.Rows copy) {
    return DecodeTest.comparator()
        .compare(primary, List.of(new TableComparator.CopyLink("c", copy, copy, primary, false)))
        .get(0);
  }

  @Test
  void aChangedRowThatCaughtUpBeforeItsColumnsWereNamedIsInFlight() {
    DecodeTest.Rows primary = new DecodeTest.Rows(1, 5_000);
    long current = primary.rows.get(2_500L);
    DecodeTest.Rows copy =
        new DecodeTest.Rows(1, 5_000) {
          @Override
          public Map<Key, List<String>> rowValues(Collection<Key> keys) {
            // the copy applies the primary's writes meanwhile
            rows.put(2_500L, current);
            rows.put(3_000L, primary.rows.get(3_000L));
            return super.rowValues(keys);
          }
        };
    copy.rows.put(2_500L, 42L); // behind when compared
    copy.rows.remove(3_000L); // not yet inserted when compared
    copy.rows.put(4_000L, 43L); // really different
    copy.rows.remove(4_500L); // really missing
    CopyOutcome o = compare(primary, copy);
    assertThat(o.findings())
        .extracting(f -> f.kind() + " " + f.key().get(0) + " " + f.columns())
        .containsExactly("CHANGED 4000 [id]", "MISSING 4500 []");
    assertThat(o.changed()).isEqualTo(1);
    assertThat(o.missing()).isEqualTo(1);
    assertThat(o.inFlight()).isEqualTo(2);
    assertThat(o.lostRows().keySet())
        .extracting(k -> k.get(0))
        .containsExactlyInAnyOrder(4_000L, 4_500L);
  }

  @Test
  void aChangedRowWhoseValuesLookAlikeButWhoseHashesDifferStaysChanged() {
    DecodeTest.Rows primary =
        new DecodeTest.Rows(1, 5_000) {
          @Override
          public Map<Key, List<String>> rowValues(Collection<Key> keys) {
            return Map.of(keys.iterator().next(), List.of("same"));
          }
        };
    DecodeTest.Rows copy =
        new DecodeTest.Rows(1, 5_000) {
          @Override
          public Map<Key, List<String>> rowValues(Collection<Key> keys) {
            return Map.of(keys.iterator().next(), List.of("same"));
          }
        };
    copy.rows.put(2_500L, 42L);
    CopyOutcome o = compare(primary, copy);
    assertThat(o.findings())
        .extracting(f -> f.kind() + " " + f.key().get(0) + " " + f.columns())
        .containsExactly("CHANGED 2500 []");
    assertThat(o.changed()).isEqualTo(1);
    assertThat(o.inFlight()).isZero();
  }
}
