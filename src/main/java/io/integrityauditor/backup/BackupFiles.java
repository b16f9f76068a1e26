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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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

  /**
   * A file modified this recently is looked at again after {@link #LOOK}: one that changed
   * meanwhile is still being written (a dump written in place under its final name, {@code pg_dump
   * -f x.dump}, by a process the auditor cannot see).
   */
  public static final java.time.Duration SETTLE = java.time.Duration.ofSeconds(60);

  /** The newest files looked for among those open for writing. */
  static final int CANDIDATES = 8;

  /** How long a recently modified file is watched for growth. */
  static final java.time.Duration LOOK = java.time.Duration.ofSeconds(1);

  /**
   * A file open for writing that has not changed for this long is checked as it is: a dump hung for
   * that long (on a lock, on a dead mount) is itself a finding, which skipping it would hide until
   * the file before it went stale (review 3 of session 23: a 10-byte dump held open for 3 h hid its
   * SHRUNK).
   */
  public static final java.time.Duration STALLED = java.time.Duration.ofHours(1);

  /**
   * The files without the newest ones still being written: open for writing by a process this host
   * shows the auditor ({@code /proc/PID/fd}, compared by device and inode, so a writer in a
   * container or behind a bind mount counts; a writer stalled on a lock writes nothing for minutes)
   * and changed within {@link #STALLED}, or modified within {@link #SETTLE} and changed again
   * within {@link #LOOK}. Regression (review of session 22): a dump being written was the newest
   * file, {@code SHRUNK}, and its restore drill {@code RESTORE_FAILED}: a false alarm on every
   * audit that met the nightly dump. The files skipped are added to {@code skipped}, newest first,
   * each with why.
   */
  public static List<BackupFile> complete(
      List<BackupFile> newestFirst, Instant now, List<String> skipped) {
    int i = 0;
    Set<Object> writing = null;
    while (i < newestFirst.size()) {
      BackupFile f = newestFirst.get(i);
      boolean recent = f.modified() != null && f.modified().isAfter(now.minus(SETTLE));
      boolean stalled = f.modified() == null || !f.modified().isAfter(now.minus(STALLED));
      if (!stalled && writing == null) {
        // the files this loop can reach, in practice the newest one or two: not every dump the
        // glob matches (20,000 of them cost 0.6 - 2.3 s per inspection, review 3 of session 23)
        writing = openForWriting(newestFirst.subList(0, Math.min(newestFirst.size(), CANDIDATES)));
      }
      if (!stalled && isOrHolds(writing, f)) {
        skipped.add(f.path() + " (open for writing)");
      } else if (recent && changesWithin(f, LOOK)) {
        skipped.add(f.path() + " (growing)");
      } else {
        break;
      }
      i++;
    }
    return i == 0 ? newestFirst : newestFirst.subList(i, newestFirst.size());
  }

  /** Whether the file's size or time differ from its listing's after {@code look}. */
  private static boolean changesWithin(BackupFile f, java.time.Duration look) {
    try {
      Thread.sleep(look.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    try {
      BasicFileAttributes a = Files.readAttributes(f.path(), BasicFileAttributes.class);
      BackupFile again =
          a.isDirectory()
              ? directoryDump(f.path())
              : new BackupFile(f.path(), a.lastModifiedTime().toInstant(), a.size());
      return again.bytes() != f.bytes() || !again.modified().equals(f.modified());
    } catch (IOException | UncheckedIOException e) {
      return true; // renamed or rotated away meanwhile: not the file to check
    }
  }

  /** Whether a file open for writing is {@code f} or (a directory dump) one of its files. */
  private static boolean isOrHolds(Set<Object> writing, BackupFile f) {
    if (writing.isEmpty()) {
      return false;
    }
    for (Object key : identities(f).keySet()) {
      if (writing.contains(key)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The identities (device and inode, {@link BasicFileAttributes#fileKey}) of the file, or of the
   * files of a directory dump, with their names.
   */
  private static java.util.Map<Object, String> identities(BackupFile f) {
    java.util.Map<Object, String> out = new java.util.HashMap<>();
    try {
      BasicFileAttributes a = Files.readAttributes(f.path(), BasicFileAttributes.class);
      if (a.isDirectory()) {
        try (Stream<Path> files = Files.walk(f.path())) {
          for (Path p : (Iterable<Path>) files::iterator) {
            BasicFileAttributes fa = Files.readAttributes(p, BasicFileAttributes.class);
            if (fa.isRegularFile() && fa.fileKey() != null) {
              out.put(fa.fileKey(), p.getFileName().toString());
            }
          }
        }
      } else if (a.fileKey() != null) {
        out.put(a.fileKey(), f.path().getFileName().toString());
      }
    } catch (IOException | UncheckedIOException e) {
      // gone
    }
    return out;
  }

  /**
   * The identities of the files among (or inside) {@code candidates} that a process holds open for
   * writing, as far as {@code /proc} shows them (another user's processes are hidden unless the
   * auditor runs as root; none on a host without {@code /proc}). A descriptor's link names the file
   * as its process sees it (in a container: its own mount; a temporary name hard-linked or
   * symlinked into the glob), so it is matched by device and inode, which are the file's wherever
   * and however it is named (review 5 of session 23: matched by name first, such writers were
   * missed).
   */
  static Set<Object> openForWriting(List<BackupFile> candidates) {
    java.util.Map<Object, String> keys = new java.util.HashMap<>();
    for (BackupFile f : candidates) {
      keys.putAll(identities(f));
    }
    Set<Object> out = new HashSet<>();
    java.io.File[] procs =
        new java.io.File("/proc")
            .listFiles((d, n) -> !n.isEmpty() && n.chars().allMatch(Character::isDigit));
    if (procs == null || keys.isEmpty()) {
      return out;
    }
    for (java.io.File proc : procs) {
      java.io.File[] fds = new java.io.File(proc, "fd").listFiles();
      if (fds == null) {
        continue; // ended, or not ours to see
      }
      for (java.io.File fd : fds) {
        try {
          if (!Files.readSymbolicLink(fd.toPath()).toString().startsWith("/")) {
            continue; // a socket, pipe, anonymous inode
          }
          // the descriptor's own file, through the link
          Object key = Files.readAttributes(fd.toPath(), BasicFileAttributes.class).fileKey();
          if (key != null
              && keys.containsKey(key)
              && writable(proc.toPath().resolve("fdinfo").resolve(fd.getName()))) {
            out.add(key);
          }
        } catch (IOException | RuntimeException e) {
          // closed meanwhile
        }
      }
    }
    return out;
  }

  /** Whether an {@code fdinfo} file's flags open the descriptor for writing (O_WRONLY, O_RDWR). */
  private static boolean writable(Path fdinfo) throws IOException {
    for (String line : Files.readAllLines(fdinfo)) {
      if (line.startsWith("flags:")) {
        return (Integer.parseInt(line.substring(6).trim(), 8) & 3) != 0;
      }
    }
    return false;
  }

  private static boolean hasGlob(String s) {
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
  }
}
