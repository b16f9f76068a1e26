package io.integrityauditor.backup;

import java.time.Duration;
import java.util.List;

/**
 * A JVM that runs one restore drill and prints its outcome: {@code DrillInChildJvm <command>}.
 * {@link BackupRestoreDrillTest} kills it with SIGKILL mid-drill, or lets it end.
 */
public final class DrillInChildJvm {
  private DrillInChildJvm() {}

  public static void main(String[] args) {
    RestoreDrill.Result r =
        RestoreDrill.run(args[0], null, Duration.ofMinutes(5), List.of(), () -> false);
    System.out.println("exit " + r.exitCode());
  }
}
