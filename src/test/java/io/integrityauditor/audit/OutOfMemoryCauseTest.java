package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * An out-of-memory error behind another failure is still the auditor's heap. Regression (review 1
 * of session 27): closing a statement after an OutOfMemoryError threw that same error, adding it to
 * itself as suppressed failed, and the table failed with "primary 'p': Self-suppression not
 * permitted", blaming a primary that was fine.
 */
class OutOfMemoryCauseTest {
  @Test
  void anOutOfMemoryErrorIsFoundBehindTheFailure() {
    OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
    IllegalArgumentException selfSuppression =
        new IllegalArgumentException("Self-suppression not permitted", oom);
    assertThat(AuditService.outOfMemory(selfSuppression)).isSameAs(oom);
    assertThat(AuditService.outOfMemory(new RuntimeException("x", selfSuppression))).isSameAs(oom);
    assertThat(AuditService.outOfMemory(oom)).isSameAs(oom);
    assertThat(AuditService.outOfMemory(new IllegalStateException("no"))).isNull();
  }
}
