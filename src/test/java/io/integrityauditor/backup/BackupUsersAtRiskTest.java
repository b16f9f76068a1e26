package io.integrityauditor.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackupUsersAtRiskTest {
  @Test
  void aRowIsAtRiskOnlyWhenEveryReplicaAndTheBackupCannotRestoreIt() {
    Map<Integer, String> replica1 = Map.of(1, "u1", 2, "u2", 3, "u3", 4, "u4");
    Map<Integer, String> replica2 = Map.of(1, "u1", 2, "u2", 3, "u3", 9, "u9");
    // The backup lacks 1, changed 2; 3 is safe in the backup; 9 is safe on replica 1.
    Map<Integer, String> backup = Map.of(1, "u1", 2, "u2", 9, "u9");
    assertThat(UsersAtRisk.rows(List.of(replica1, replica2), backup)).containsOnlyKeys(1, 2);
  }

  @Test
  void withoutAVerifiedBackupReplicasAloneDecide() {
    Map<Integer, String> replica = Map.of(1, "u1", 5, "u5");
    assertThat(UsersAtRisk.rows(List.of(replica), null)).containsOnlyKeys(1, 5);
  }

  @Test
  void withoutReplicasTheBackupAloneDecides() {
    Map<Integer, String> lost = Map.of(1, "u1");
    Map<Integer, String> writtenAfter = Map.of(7, "u7");
    assertThat(UsersAtRisk.rows(List.of(), UsersAtRisk.union(lost, writtenAfter)))
        .containsOnlyKeys(1, 7);
  }

  @Test
  void aRowWrittenAfterTheBackupAndLostByTheReplicaIsAtRisk() {
    Map<Integer, String> replica = Map.of(7, "u7", 8, "u8");
    Map<Integer, String> backup = UsersAtRisk.union(Map.of(), Map.of(7, "u7"));
    assertThat(UsersAtRisk.rows(List.of(replica), backup)).containsOnlyKeys(7);
  }

  @Test
  void noCopyNoRisk() {
    assertThat(UsersAtRisk.rows(List.<Map<Integer, String>>of(), null)).isEmpty();
  }

  @Test
  void ownersAreDistinctAndNeverNull() {
    java.util.List<String> owners = new java.util.ArrayList<>(List.of("7", "7", "9"));
    owners.add(null);
    assertThat(UsersAtRisk.owners(owners)).containsExactly("7", "9");
  }
}
