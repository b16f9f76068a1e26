package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.dialect.Dialect.HashFlavor;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A scan's name keys its chunk checkpoint in the state database, which keeps 40 characters
 * (V4__chunk_checkpoints.sql): the json columns compared as jsonb enter it as a short hash, so a
 * long column name cannot make the checkpoint's write fail.
 */
class ScanGroupNameTest {
  @Test
  void namesFitTheCheckpointColumn() {
    TreeSet<String> jsonb = new TreeSet<>();
    jsonb.add("a_rather_long_document_column_name_of_sixty_characters_or_so");
    jsonb.add("another_document");
    String longest = new AuditService.ScanGroup(HashFlavor.CANONICAL, true, jsonb).name();
    assertThat(longest).hasSizeLessThanOrEqualTo(40).startsWith("CANONICAL-UNORDERED-c");
    assertThat(
            new AuditService.ScanGroup(HashFlavor.CANONICAL, true, jsonb).name("0123456789abcdef"))
        .hasSizeLessThanOrEqualTo(40)
        .isNotEqualTo(longest);
    assertThat(new AuditService.ScanGroup(HashFlavor.NATIVE, false).name())
        .isEqualTo(
            "NATIVE-k" + AuditService.KEY_FORM_VERSION + "-h" + AuditService.ROW_HASH_VERSION);
    TreeSet<String> other = new TreeSet<>(jsonb);
    other.add("third");
    assertThat(new AuditService.ScanGroup(HashFlavor.CANONICAL, true, other).name())
        .isNotEqualTo(longest);
  }
}
