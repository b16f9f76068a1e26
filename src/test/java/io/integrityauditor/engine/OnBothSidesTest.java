package io.integrityauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The locator reads the primary and the copy at once ({@link TableComparator#onBothSides}): both
 * reads really overlap, what the primary's read wrote is seen afterwards, and a primary read that
 * failed — by exception or by error — fails the call only after the copy's read ended, so that the
 * copy's rows never stand alone as if the primary had none.
 */
class OnBothSidesTest {

  @Test
  void bothReadsRunAtOnceAndThePrimarysResultIsSeen() {
    CountDownLatch primaryStarted = new CountDownLatch(1);
    int[] primaryRows = new int[1];
    AtomicBoolean overlapped = new AtomicBoolean();
    TableComparator.onBothSides(
        () -> {
          primaryStarted.countDown();
          primaryRows[0] = 70;
        },
        () -> {
          try {
            overlapped.set(primaryStarted.await(5, TimeUnit.SECONDS));
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
    assertThat(overlapped).isTrue();
    assertThat(primaryRows[0]).isEqualTo(70);
  }

  @Test
  void aFailedPrimaryReadIsThrownAfterTheCopysReadEnded() {
    AtomicBoolean copyDone = new AtomicBoolean();
    IllegalStateException failure = new IllegalStateException("primary session lost");
    assertThatThrownBy(
            () ->
                TableComparator.onBothSides(
                    () -> {
                      throw failure;
                    },
                    () -> copyDone.set(true)))
        .isSameAs(failure);
    assertThat(copyDone).isTrue();
  }

  /** Regression: an error on the primary's thread was lost, the call returned as if it had read. */
  @Test
  void anErrorOnThePrimarysThreadIsThrownToo() {
    StackOverflowError error = new StackOverflowError("primary read died");
    assertThatThrownBy(
            () ->
                TableComparator.onBothSides(
                    () -> {
                      throw error;
                    },
                    () -> {}))
        .isSameAs(error);
  }

  @Test
  void theCopysFailureIsThrownAsItIs() {
    IllegalStateException failure = new IllegalStateException("copy session lost");
    assertThatThrownBy(
            () ->
                TableComparator.onBothSides(
                    () -> {},
                    () -> {
                      throw failure;
                    }))
        .isSameAs(failure);
  }
}
