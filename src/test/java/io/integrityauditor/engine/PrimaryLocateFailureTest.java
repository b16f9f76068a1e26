package io.integrityauditor.engine;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A failure of the primary's session while a copy's differing rows are located fails the table as
 * the primary's. Regression (review 2 of session 23): with the primary paused (SIGSTOP) or killed
 * while a copy's rows were located, that copy was FAILED with the primary's error ("pg-copy: An I/O
 * error occurred while sending to the backend.: Read timed out"), the table's error null and the
 * run's error naming the healthy copy.
 */
@Timeout(60)
class PrimaryLocateFailureTest {
  /** The primary's session a copy locates with: gone once asked for rows. */
  static final class Gone extends DecodeTest.Rows {
    Gone(long from, long to) {
      super(from, to);
    }

    @Override
    public void rowHashes(KeyRange range, Consumer<RowHash> sink) {
      throw new IllegalStateException("An I/O error occurred while sending to the backend.");
    }

    @Override
    public void rowHashes(Collection<Key> keys, Consumer<RowHash> sink) {
      throw new IllegalStateException("An I/O error occurred while sending to the backend.");
    }
  }

  @Test
  void thePrimarysLocateSessionFailingFailsTheTableNotTheCopy() {
    DecodeTest.Rows primary = new DecodeTest.Rows(1, 10_000);
    DecodeTest.Rows copy = new DecodeTest.Rows(1, 10_000);
    copy.rows.put(2_500L, 42L);
    Gone primaryLocate = new Gone(1, 10_000);
    assertThatThrownBy(
            () ->
                DecodeTest.comparator()
                    .compare(
                        primary,
                        List.of(
                            new TableComparator.CopyLink("c", copy, copy, primaryLocate, false))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("An I/O error occurred while sending to the backend.");
  }

  /** The copy's own session failing still fails that copy alone. */
  @Test
  void theCopysSessionFailingFailsTheCopy() {
    DecodeTest.Rows primary = new DecodeTest.Rows(1, 10_000);
    Gone copy = new Gone(1, 10_000);
    copy.rows.put(2_500L, 42L);
    CopyOutcome o =
        DecodeTest.comparator()
            .compare(
                primary, List.of(new TableComparator.CopyLink("c", copy, copy, primary, false)))
            .get(0);
    org.assertj.core.api.Assertions.assertThat(o.error())
        .isEqualTo("An I/O error occurred while sending to the backend.");
  }

  /** The watched source delegates every method: a default one left out would answer for it. */
  @Test
  void theWatchedSourceOverridesEveryMethod() throws Exception {
    for (java.lang.reflect.Method m : DigestSource.class.getMethods()) {
      if (java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      org.assertj.core.api.Assertions.assertThat(
              WatchedSource.class.getDeclaredMethod(m.getName(), m.getParameterTypes()))
          .as(m.toString())
          .isNotNull();
    }
  }
}
