package io.integrityauditor.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * MySQL's FORKED check takes the replica's own GTIDs (its server UUID's part of {@code
 * gtid_executed}) and asks the primary which of them it lacks ({@code GTID_SUBTRACT}); the SQL
 * itself needs a MySQL server, which this machine does not have. This is the parsing half.
 */
class MySqlGtidSetTest {
  private static final String SELF = "3E11FA47-71CA-11E1-9E33-C80AA9429562";
  private static final String OTHER = "8a94f357-aab4-11df-86ab-c80aa9429562";

  @Test
  void theReplicasOwnPartOfItsExecutedSet() {
    String executed = OTHER + ":1-77,\n" + SELF.toLowerCase() + ":1-5:11-18";
    assertThat(MySqlDialect.ownGtids(executed, SELF)).isEqualTo(SELF.toLowerCase() + ":1-5:11-18");
    assertThat(MySqlDialect.ownGtids(OTHER + ":1-77", SELF)).isNull();
    assertThat(MySqlDialect.ownGtids("", SELF)).isNull();
    assertThat(MySqlDialect.ownGtids(null, SELF)).isNull();
  }
}
