package io.integrityauditor.cli;

import java.lang.management.ManagementFactory;

/**
 * {@code IA_TRACE=1}: milestones of a command on stderr, in seconds since the JVM started, with the
 * CPU seconds the whole process (every thread: JIT compiler, GC, helpers) has used by then.
 */
public final class Trace {
  private static final boolean ON = System.getenv("IA_TRACE") != null;

  private Trace() {}

  public static void at(String milestone) {
    if (ON) {
      System.err.printf(
          "trace %.3f s cpu %.3f s %s%n",
          ManagementFactory.getRuntimeMXBean().getUptime() / 1e3, processCpuSeconds(), milestone);
    }
  }

  private static double processCpuSeconds() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() / 1e9
        : Double.NaN;
  }
}
