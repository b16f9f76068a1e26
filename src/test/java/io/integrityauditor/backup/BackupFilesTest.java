package io.integrityauditor.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupFilesTest {
  @Test
  void listsMatchingFilesNewestFirst(@TempDir Path dir) throws Exception {
    Path old = write(dir.resolve("users-1.dump"), 10, "2026-11-20T00:00:00Z");
    Path newest = write(dir.resolve("users-3.dump"), 30, "2026-11-22T00:00:00Z");
    Path mid = write(dir.resolve("users-2.dump"), 20, "2026-11-21T00:00:00Z");
    write(dir.resolve("users-4.log"), 1, "2026-11-23T00:00:00Z");
    Files.createDirectory(dir.resolve("x.dump"));
    var files = BackupFiles.list(dir + "/*.dump");
    assertThat(files).extracting(BackupFiles.BackupFile::path).containsExactly(newest, mid, old);
    assertThat(files.get(0).bytes()).isEqualTo(30);
    assertThat(files.get(0).modified()).isEqualTo(Instant.parse("2026-11-22T00:00:00Z"));
  }

  @Test
  void globsInDirectoriesAndPlainPaths(@TempDir Path dir) throws Exception {
    Path a = write(dir.resolve("2026-11-21/users.dump"), 5, "2026-11-21T00:00:00Z");
    Path b = write(dir.resolve("2026-11-22/users.dump"), 5, "2026-11-22T00:00:00Z");
    assertThat(BackupFiles.list(dir + "/*/users.dump"))
        .extracting(BackupFiles.BackupFile::path)
        .containsExactly(b, a);
    assertThat(BackupFiles.list(dir + "/**.dump")).hasSize(2);
    assertThat(BackupFiles.list(a.toString()))
        .extracting(BackupFiles.BackupFile::path)
        .containsExactly(a);
  }

  /** Regression: a dump directory that is a symbolic link listed nothing (MISSING_BACKUP). */
  @Test
  void aDirectoryReachedThroughASymbolicLinkIsListed(@TempDir Path dir) throws Exception {
    Path real = Files.createDirectories(dir.resolve("real/nightly"));
    Files.writeString(real.resolve("users-1.dump"), "dump one");
    Files.writeString(real.resolve("notes.txt"), "not a dump");
    Path link = Files.createSymbolicLink(dir.resolve("dlink"), dir.resolve("real"));
    var files = BackupFiles.list(link + "/nightly/*.dump");
    assertThat(files)
        .extracting(f -> f.path().toString())
        .containsExactly(link.resolve("nightly/users-1.dump").toString());
    assertThat(files.get(0).bytes()).isEqualTo(8);
    assertThat(BackupFiles.list(link + "/**/*.dump")).hasSize(1);
  }

  /** Regression: a pg_dump directory-format dump (-Fd) never matched (MISSING_BACKUP). */
  @Test
  void aDirectoryFormatDumpIsOneBackup(@TempDir Path dir) throws Exception {
    Path older = Files.createDirectories(dir.resolve("users-1.dir"));
    Files.writeString(older.resolve("toc.dat"), "toc");
    Files.writeString(older.resolve("3001.dat.gz"), "0123456789");
    Files.setLastModifiedTime(
        older.resolve("3001.dat.gz"), java.nio.file.attribute.FileTime.fromMillis(1_000_000));
    Files.setLastModifiedTime(
        older.resolve("toc.dat"), java.nio.file.attribute.FileTime.fromMillis(1_000_000));
    Files.setLastModifiedTime(older, java.nio.file.attribute.FileTime.fromMillis(1_000_000));
    Path newer = Files.createDirectories(dir.resolve("users-2.dir"));
    Files.writeString(newer.resolve("toc.dat"), "toc!");
    Files.writeString(newer.resolve("3001.dat.gz"), "01234567890123456789");
    Files.createDirectories(dir.resolve("users-3.dir")); // no toc.dat: not a dump
    var files = BackupFiles.list(dir + "/users-*");
    assertThat(files)
        .extracting(f -> f.path().getFileName().toString())
        .containsExactly("users-2.dir", "users-1.dir");
    assertThat(files.get(0).bytes()).isEqualTo(24);
    assertThat(files.get(1).bytes()).isEqualTo(13);
    assertThat(files.get(1).modified()).isEqualTo(java.time.Instant.ofEpochMilli(1_000_000));
  }

  @Test
  void nothingMatchesInAMissingDirectory(@TempDir Path dir) {
    assertThat(BackupFiles.list(dir + "/nope/*.dump")).isEmpty();
    assertThat(BackupFiles.list(dir + "/*.dump")).isEmpty();
  }

  private static Path write(Path p, int bytes, String mtime) throws Exception {
    Files.createDirectories(p.getParent());
    Files.write(p, new byte[bytes]);
    Files.setLastModifiedTime(p, FileTime.from(Instant.parse(mtime)));
    return p;
  }
}
