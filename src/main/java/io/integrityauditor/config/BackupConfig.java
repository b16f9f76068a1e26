package io.integrityauditor.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;

/**
 * A restored backup of a dataset, compared as of the time the backup was taken.
 *
 * @param endpoint the database the backup is restored into (never a primary or replica)
 * @param asOf SQL run on the backup endpoint returning when the backup was taken (one value)
 * @param maxAge older than this = a stale backup
 * @param restoreCommand optional shell command restoring the newest file into the endpoint
 * @param files optional glob of the dump files, e.g. {@code /backups/users/*.dump}
 * @param restoreTimeout how long the restore command may run (default 30 minutes)
 * @param maxShrink how much smaller than the previous file the newest may be (default 0.5: a newest
 *     file under half the previous one's size is a finding)
 * @param restoreWhen {@code always} (default): the restore command runs at every whole-dataset
 *     audit; {@code newFile}: only when the newest file (path, size, modification time) is not the
 *     one this process last restored successfully
 */
public record BackupConfig(
    @JsonProperty("endpoint") @NotBlank String endpoint,
    @JsonProperty("asOf") String asOf,
    @JsonProperty("maxAge") Duration maxAge,
    @JsonProperty("restoreCommand") String restoreCommand,
    @JsonProperty("files") String files,
    @JsonProperty("restoreTimeout") Duration restoreTimeout,
    @JsonProperty("maxShrink") @DecimalMin("0.0") @DecimalMax("1.0") Double maxShrink,
    @JsonProperty("restoreWhen") String restoreWhen) {

  public static final Duration DEFAULT_RESTORE_TIMEOUT = Duration.minutes(30);
  public static final double DEFAULT_MAX_SHRINK = 0.5;

  /** Restore at every whole-dataset audit. */
  public static final String RESTORE_ALWAYS = "always";

  /** Restore only when the newest file is not the one this process last restored successfully. */
  public static final String RESTORE_NEW_FILE = "newFile";

  @JsonCreator
  public BackupConfig {
    restoreTimeout = restoreTimeout == null ? DEFAULT_RESTORE_TIMEOUT : restoreTimeout;
    maxShrink = maxShrink == null ? DEFAULT_MAX_SHRINK : maxShrink;
    restoreWhen = restoreWhen == null ? RESTORE_ALWAYS : restoreWhen;
  }

  public BackupConfig(
      String endpoint,
      String asOf,
      Duration maxAge,
      String restoreCommand,
      String files,
      Duration restoreTimeout,
      Double maxShrink) {
    this(endpoint, asOf, maxAge, restoreCommand, files, restoreTimeout, maxShrink, null);
  }

  /** Whether a drill may be skipped when the newest file is the one last restored. */
  public boolean restoreOnlyNewFiles() {
    return RESTORE_NEW_FILE.equals(restoreWhen);
  }

  public BackupConfig(
      String endpoint, String asOf, Duration maxAge, String restoreCommand, String files) {
    this(endpoint, asOf, maxAge, restoreCommand, files, null, null, null);
  }
}
