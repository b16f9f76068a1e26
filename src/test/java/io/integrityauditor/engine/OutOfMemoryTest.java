package io.integrityauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression: an {@code OutOfMemoryError} in a copy's compare thread (a 15 MB blob hashed in the
 * JVM, a 20 MB bytea read to name a changed column under {@code -Xmx128m}) ended the thread unseen:
 * the copy was reported as compared — CONSISTENT, exit 0, with a changed row it never read, or
 * {@code changed: 1} with no finding listed — and {@code error} stayed null. On the primary's side
 * the error escaped the whole audit: no report at all, the other tables' findings lost. The copy
 * now fails with a message saying so; the primary's failure fails its table.
 */
@Timeout(60) // before, the primary could wait for ever on the queue of a copy's dead thread
class OutOfMemoryTest {
  /** A table that runs out of memory in one operation. */
  static final class Exhausting extends DecodeTest.Rows {
    final String in;

    Exhausting(long from, long to, String in) {
      super(from, to);
      this.in = in;
    }

    @Override
    public Digest digest(KeyRange range) {
      if (in.equals("digest")) {
        throw new OutOfMemoryError("Java heap space");
      }
      return super.digest(range);
    }

    @Override
    public Map<Key, List<String>> rowValues(Collection<Key> keys) {
      if (in.equals("rowValues")) {
        throw new OutOfMemoryError("Java heap space");
      }
      return super.rowValues(keys);
    }
  }

  @Test
  void aCopyThatRunsOutOfMemoryFailsInsteadOfLookingCompared() {
    for (String in : new String[] {"digest", "rowValues"}) {
      DecodeTest.Rows primary = new DecodeTest.Rows(1, 10_000);
      Exhausting copy = new Exhausting(1, 10_000, in);
      copy.rows.put(2_500L, 42L);
      CopyOutcome o =
          DecodeTest.comparator()
              .compare(
                  primary, List.of(new TableComparator.CopyLink("c", copy, copy, primary, false)))
              .get(0);
      assertThat(o.error())
          .as(in)
          .startsWith("out of memory in the auditor (heap limit ")
          .endsWith(" MB; raise -Xmx): Java heap space");
    }
  }

  @Test
  void aPrimaryThatRunsOutOfMemoryFailsItsTableWithAMessage() {
    Exhausting primary = new Exhausting(1, 10_000, "digest");
    DecodeTest.Rows copy = new DecodeTest.Rows(1, 10_000);
    assertThatThrownBy(
            () ->
                DecodeTest.comparator()
                    .compare(
                        primary,
                        List.of(new TableComparator.CopyLink("c", copy, copy, primary, false))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("out of memory in the auditor (heap limit ");
  }
}
