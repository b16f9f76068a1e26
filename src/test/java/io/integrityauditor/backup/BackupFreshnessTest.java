package io.integrityauditor.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.backup.BackupFiles.BackupFile;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackupFreshnessTest {
  private static final Instant NOW = Instant.parse("2026-11-25T18:00:00Z");

  private static BackupFile file(String name, long hoursAgo, long bytes) {
    return new BackupFile(Path.of("/b/" + name), NOW.minus(Duration.ofHours(hoursAgo)), bytes);
  }

  @Test
  void aBackupOlderThanMaxAgeIsStaleAndOneJustInsideIsNot() {
    Instant asOf = NOW.minus(Duration.ofHours(27));
    List<BackupFinding> f =
        BackupFreshness.age(asOf, "asOf query", null, NOW, Duration.ofHours(26));
    assertThat(f).hasSize(1);
    assertThat(f.get(0).kind()).isEqualTo(BackupFinding.Kind.STALE);
    assertThat(f.get(0).message())
        .isEqualTo(
            "backup taken 2026-11-24T15:00:00Z (1d 3h ago, from asOf query) is older than maxAge"
                + " 1d 2h");
    assertThat(
            BackupFreshness.age(
                NOW.minus(Duration.ofHours(26)), "asOf query", null, NOW, Duration.ofHours(26)))
        .isEmpty();
    assertThat(BackupFreshness.age(asOf, "asOf query", null, NOW, null)).isEmpty();
  }

  @Test
  void anOldNewestFileIsStaleEvenWhenTheRestoredCopyIsRecent() {
    BackupFile newest = file("a.dump", 30, 100);
    List<BackupFinding> f =
        BackupFreshness.age(
            NOW.minus(Duration.ofHours(1)), "asOf query", newest, NOW, Duration.ofHours(26));
    assertThat(f).extracting(BackupFinding::kind).containsExactly(BackupFinding.Kind.STALE);
    assertThat(f.get(0).message()).contains("newest backup file /b/a.dump", "1d 6h ago");
  }

  @Test
  void aNewestFileLessThanHalfThePreviousIsShrunk() {
    var shrunk =
        BackupFreshness.shrink(
            List.of(file("c", 1, 399), file("b", 25, 1000), file("a", 49, 1000)), 0.5);
    assertThat(shrunk.kind()).isEqualTo(BackupFinding.Kind.SHRUNK);
    assertThat(shrunk.message())
        .isEqualTo(
            "newest backup file /b/c has 399 bytes, 60% less than the previous one (b, 1,000"
                + " bytes; allowed shrink 50%)");
    assertThat(BackupFreshness.shrink(List.of(file("c", 1, 500), file("b", 25, 1000)), 0.5))
        .isNull();
    assertThat(BackupFreshness.shrink(List.of(file("c", 1, 900), file("b", 25, 1000)), 0.05))
        .isNotNull();
    assertThat(BackupFreshness.shrink(List.of(file("c", 1, 1), file("b", 25, 1000)), 1.0)).isNull();
  }

  @Test
  void anEmptyNewestFileIsShrunkAndASingleFileIsNot() {
    assertThat(BackupFreshness.shrink(List.of(file("c", 1, 0)), 0.5).message())
        .isEqualTo("newest backup file /b/c is empty");
    assertThat(BackupFreshness.shrink(List.of(file("c", 1, 10)), 0.5)).isNull();
    assertThat(BackupFreshness.shrink(List.of(), 0.5)).isNull();
  }

  @Test
  void humanDurations() {
    assertThat(BackupFreshness.human(Duration.ofSeconds(93_600))).isEqualTo("1d 2h");
    assertThat(BackupFreshness.human(Duration.ofSeconds(5_400))).isEqualTo("1h 30m");
    assertThat(BackupFreshness.human(Duration.ofSeconds(42))).isEqualTo("42s");
    assertThat(BackupFreshness.human(Duration.ZERO)).isEqualTo("0s");
  }
}
