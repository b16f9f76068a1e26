package io.integrityauditor.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** The dump files of a backup: the regular files matching a glob, newest first. */
public final class BackupFiles {
  /** One dump file. */
  public record BackupFile(Path path, Instant modified, long bytes) {}

  private BackupFiles() {}

  /**
   * The regular files matching {@code glob} (e.g. {@code /backups/users/*.dump}; {@code *}, {@code
   * ?}, {@code [..]}, {@code {a,b}} and {@code **} as in {@link FileSystems#getPathMatcher}),
   * newest modification time first. A directory that does not exist matches nothing.
   */
  public static List<BackupFile> list(String glob) {
    Path pattern = Path.of(glob).toAbsolutePath().normalize();
    // Walk from the deepest directory without glob characters.
    Path root = pattern.getRoot();
    int depth = 0;
    boolean recursive = false;
    boolean globbing = false;
    for (Path part : pattern) {
      String p = part.toString();
      if (!globbing && !hasGlob(p)) {
        root = root.resolve(p);
      } else {
        globbing = true;
        depth++;
        recursive |= p.contains("**");
      }
    }
    if (!globbing) {
      // A plain path: that one file.
      root = pattern.getParent();
      depth = 1;
    }
    PathMatcher matcher =
        FileSystems.getDefault().getPathMatcher("glob:" + pattern.toString().replace("\\", "\\\\"));
    if (root == null || !Files.isDirectory(root)) {
      return List.of();
    }
    List<BackupFile> out = new ArrayList<>();
    // Walked from its real path: Files.walk does not enter a root that is a symbolic link (a
    // dump directory linked elsewhere listed nothing: MISSING_BACKUP, and no restore drill), and
    // the matches are named by the pattern's path again.
    Path start = root;
    Path real;
    try {
      real = root.toRealPath();
    } catch (IOException e) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(real, recursive ? Integer.MAX_VALUE : depth)) {
      walk.map(p -> start.resolve(real.relativize(p).toString()))
          .filter(matcher::matches)
          .forEach(
              p -> {
                try {
                  BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                  if (a.isRegularFile()) {
                    out.add(new BackupFile(p, a.lastModifiedTime().toInstant(), a.size()));
                  } else if (a.isDirectory() && Files.isRegularFile(p.resolve("toc.dat"))) {
                    out.add(directoryDump(p));
                  }
                } catch (IOException e) {
                  // vanished while listing (rotated away): not a backup any more
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
    }
    out.sort(
        Comparator.comparing(BackupFile::modified)
            .reversed()
            .thenComparing(f -> f.path().toString(), Comparator.reverseOrder()));
    return out;
  }

  /**
   * A pg_dump directory-format dump ({@code -Fd}: a directory holding {@code toc.dat} and one file
   * per table) as one backup: its bytes are its files' and its time the newest of theirs. Only
   * regular files were listed: such dumps were always MISSING_BACKUP.
   */
  private static BackupFile directoryDump(Path dir) throws IOException {
    long bytes = 0;
    java.time.Instant newest = Files.getLastModifiedTime(dir).toInstant();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        if (a.isRegularFile()) {
          bytes += a.size();
          if (a.lastModifiedTime().toInstant().isAfter(newest)) {
            newest = a.lastModifiedTime().toInstant();
          }
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return new BackupFile(dir, newest, bytes);
  }

  private static boolean hasGlob(String s) {
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
  }
}
