package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * The catalog and replication-health queries before a comparison retry a standby's recovery
 * conflict like the comparison's own queries do. Found when a full test run failed
 * RecoveryConflictTest with "standby: ERROR: canceling statement due to conflict with recovery":
 * the cancelled query was the copy's catalog lookup, which had no retry.
 */
class RecoveryConflictRetryTest {
  @Test
  void onlyRecoveryConflictsAreRetriedAndOnlyAFewTimes() {
    RuntimeException wrapped =
        new RuntimeException(
            "catalog",
            new SQLException("canceling statement due to conflict with recovery", "40001"));
    assertThat(AuditService.retryAfterRecoveryConflict(wrapped, 1)).isTrue();
    assertThat(AuditService.retryAfterRecoveryConflict(wrapped, 4)).isTrue();
    assertThat(AuditService.retryAfterRecoveryConflict(wrapped, 5)).isFalse();
    assertThat(
            AuditService.retryAfterRecoveryConflict(
                new SQLException("canceling statement due to statement timeout", "57014"), 1))
        .isFalse();
    assertThat(AuditService.retryAfterRecoveryConflict(new IllegalStateException("x"), 1))
        .isFalse();
  }

  /**
   * Regression (review 3 of session 25): a session a hot standby terminated while it was idle in a
   * transaction fails its next statement with 08003 ("This connection has been closed."), not
   * 40001: the replication check said UNKNOWN without the lag. Tried once more on new sessions.
   */
  @Test
  void aSessionClosedUnderTheCheckIsTriedOnceMore() {
    RuntimeException closed =
        new RuntimeException(
            "check", new SQLException("This connection has been closed.", "08003"));
    assertThat(AuditService.retryClosedSession(closed, 1)).isTrue();
    assertThat(AuditService.retryClosedSession(closed, 2)).isFalse();
    assertThat(
            AuditService.retryClosedSession(
                new SQLException("Connection to 127.0.0.1:5 refused", "08001"), 1))
        .isFalse();
  }
}
