package io.integrityauditor.backup;

import io.integrityauditor.backup.BackupFiles.BackupFile;
import io.integrityauditor.backup.BackupFinding.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Freshness and sanity of a backup: age against {@code maxAge}, newest file size against the one
 * before.
 */
public final class BackupFreshness {
  private BackupFreshness() {}

  /**
   * The findings about a backup's age: the backup's time ({@code asOf}, or the newest file's time
   * when there is no query) and, when files are configured, the newest file's time.
   */
  public static List<BackupFinding> age(
      Instant asOf, String asOfSource, BackupFile newest, Instant now, Duration maxAge) {
    List<BackupFinding> out = new ArrayList<>();
    if (maxAge == null) {
      return out;
    }
    if (asOf != null && Duration.between(asOf, now).compareTo(maxAge) > 0) {
      out.add(
          new BackupFinding(
              Kind.STALE,
              "backup taken "
                  + asOf
                  + " ("
                  + human(Duration.between(asOf, now))
                  + " ago, from "
                  + asOfSource
                  + ") is older than maxAge "
                  + human(maxAge)));
    }
    if (newest != null
        && !newest.modified().equals(asOf)
        && Duration.between(newest.modified(), now).compareTo(maxAge) > 0) {
      out.add(
          new BackupFinding(
              Kind.STALE,
              "newest backup file "
                  + newest.path()
                  + " was written "
                  + newest.modified()
                  + " ("
                  + human(Duration.between(newest.modified(), now))
                  + " ago), older than maxAge "
                  + human(maxAge)
                  + ": no new dump since"));
    }
    return out;
  }

  /**
   * A finding when the newest file is empty, or smaller than the previous one by more than {@code
   * maxShrink} (0.5: less than half its size); null when its size is plausible or there is no
   * previous file.
   */
  public static BackupFinding shrink(List<BackupFile> newestFirst, double maxShrink) {
    if (newestFirst.isEmpty()) {
      return null;
    }
    BackupFile newest = newestFirst.get(0);
    if (newest.bytes() == 0) {
      return new BackupFinding(Kind.SHRUNK, "newest backup file " + newest.path() + " is empty");
    }
    if (newestFirst.size() < 2) {
      return null;
    }
    BackupFile previous = newestFirst.get(1);
    if (newest.bytes() < previous.bytes() * (1.0 - maxShrink)) {
      return new BackupFinding(
          Kind.SHRUNK,
          String.format(
              Locale.ROOT,
              "newest backup file %s has %,d bytes, %.0f%% less than the previous one (%s, %,d"
                  + " bytes; allowed shrink %.0f%%)",
              newest.path(),
              newest.bytes(),
              100.0 * (previous.bytes() - newest.bytes()) / previous.bytes(),
              previous.path().getFileName(),
              previous.bytes(),
              100.0 * maxShrink));
    }
    return null;
  }

  /** 93600 s as "26h", 5400 s as "1h 30m", 42 s as "42s". */
  public static String human(Duration d) {
    long s = Math.max(0, d.toSeconds());
    long days = s / 86_400;
    long h = (s % 86_400) / 3600;
    long m = (s % 3600) / 60;
    long sec = s % 60;
    StringBuilder b = new StringBuilder();
    if (days > 0) {
      b.append(days).append("d ");
    }
    if (h > 0) {
      b.append(h).append("h ");
    }
    if (m > 0) {
      b.append(m).append("m ");
    }
    if (sec > 0 || b.length() == 0) {
      b.append(sec).append("s");
    }
    return b.toString().trim();
  }
}
