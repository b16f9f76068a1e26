package io.integrityauditor.cli;

/** {@code IA_TRACE=1}: milestones of a command on stderr, in seconds since the JVM started. */
public final class Trace {
  private static final boolean ON = System.getenv("IA_TRACE") != null;

  private Trace() {}

  public static void at(String milestone) {
    if (ON) {
      System.err.printf(
          "trace %.3f s %s%n",
          java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3, milestone);
    }
  }
}
