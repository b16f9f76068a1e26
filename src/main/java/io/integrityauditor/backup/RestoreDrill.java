package io.integrityauditor.backup;

import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.config.JdbcTarget;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Restores a backup into its endpoint by running the configured command through {@code bash -o
 * pipefail -c} ({@code /bin/sh -c} where there is no bash), time-boxed, with its output captured.
 * The command's placeholders are replaced by shell-quoted values: {@code {newest}} (the newest
 * file), {@code {url}} ({@code postgresql://user@host:port/db}, the JDBC URL without {@code jdbc:}
 * and parameters), {@code {host}}, {@code {port}}, {@code {database}}, {@code {user}}. {@code
 * {host}} and {@code {port}} are the URL's first server (for a multi-host URL the first host, not
 * necessarily the one the driver would connect to), an IPv6 address without its brackets (as {@code
 * psql -h} takes it), the engine's default port when the URL has none; see {@link JdbcTarget}. The
 * password is never put on the command line: it is passed as {@code PGPASSWORD} and {@code
 * MYSQL_PWD}.
 */
public final class RestoreDrill {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RestoreDrill.class);

  /** Bytes of output kept: the end, where the error usually is. */
  static final int TAIL_BYTES = 4096;

  private static final Pattern PLACEHOLDER =
      Pattern.compile("\\{(newest|url|host|port|database|user)\\}");

  /**
   * What the restore did.
   *
   * @param command the command as run (placeholders replaced)
   * @param exitCode the exit code, or null when it timed out or could not start
   * @param durationMs how long it ran
   * @param outputTail the last {@value #TAIL_BYTES} bytes of stdout and stderr
   * @param timedOut whether it was killed at the time limit, or because the audit stopped
   */
  public record Result(
      String command, Integer exitCode, long durationMs, String outputTail, boolean timedOut) {
    public boolean succeeded() {
      return exitCode != null && exitCode == 0;
    }
  }

  private RestoreDrill() {}

  /** The command with every placeholder replaced by its shell-quoted value. */
  public static String render(String template, Path newest, EndpointConfig endpoint) {
    JdbcTarget t = JdbcTarget.of(endpoint.url());
    Map<String, String> values =
        Map.of(
            "newest",
            newest == null ? "" : newest.toString(),
            "url",
            nativeUrl(endpoint),
            "host",
            t.host(),
            "port",
            t.port() == null ? "" : t.port().toString(),
            "database",
            t.database(),
            "user",
            endpoint.user() == null ? "" : endpoint.user());
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(shellQuote(values.get(m.group(1)))));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** {@code jdbc:postgresql://h:5432/db?x=y} as {@code postgresql://user@h:5432/db}. */
  static String nativeUrl(EndpointConfig e) {
    String url = e.url().startsWith("jdbc:") ? e.url().substring(5) : e.url();
    int cut = url.length();
    for (char c : new char[] {'?', ';'}) {
      int i = url.indexOf(c);
      if (i >= 0) {
        cut = Math.min(cut, i);
      }
    }
    url = url.substring(0, cut);
    int slashes = url.indexOf("://");
    if (slashes >= 0 && e.user() != null && !e.user().isEmpty() && !url.contains("@")) {
      url = url.substring(0, slashes + 3) + e.user() + "@" + url.substring(slashes + 3);
    }
    return url;
  }

  static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** Runs the command; never throws for a failing command (the result says how it failed). */
  public static Result run(String command, String password, Duration timeout) {
    return run(command, password, timeout, java.util.List.of(), () -> false);
  }

  /**
   * Runs the command with the auditor's environment less every variable holding one of {@code
   * withheld} (the configuration's secrets: other endpoints' passwords, API tokens, ... that the
   * configuration read from {@code ${VAR}}s), so a restore script sees only the password of the
   * endpoint it restores into. Never throws for a failing command.
   */
  public static Result run(
      String command,
      String password,
      Duration timeout,
      java.util.Collection<String> withheld,
      java.util.function.BooleanSupplier stop) {
    long t0 = System.nanoTime();
    // In a session of its own (setsid), so that killing it kills everything it started, also
    // processes that left its tree (a double fork: `(sleep 300 &)` outlived the kill before).
    List<String> shell = new java.util.ArrayList<>();
    if (SETSID) {
      shell.addAll(List.of("setsid", "--wait"));
    }
    shell.addAll(SHELL);
    Path done = SETSID ? doneFile() : null;
    shell.add(done != null ? watcher(done) + command : command);
    ProcessBuilder pb = new ProcessBuilder(shell).redirectErrorStream(true);
    withhold(pb.environment(), withheld);
    String marker = java.util.UUID.randomUUID().toString();
    pb.environment().put(MARKER, marker);
    if (password != null && !password.isEmpty()) {
      pb.environment().put("PGPASSWORD", password);
      pb.environment().put("MYSQL_PWD", password);
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return new Result(
          command, null, 0, "cannot start " + SHELL.get(0) + ": " + e.getMessage(), false);
    }
    try {
      p.getOutputStream().close(); // no input: a command asking for a password fails at once
    } catch (IOException ignored) {
      // already gone
    }
    RUNNING.put(p, marker);
    Tail tail = new Tail(p.getInputStream());
    Thread reader = new Thread(tail, "restore-output");
    reader.setDaemon(true);
    reader.start();
    boolean finished = false;
    boolean stopped = false;
    long deadline = t0 + timeout.toNanos();
    try {
      while (!finished) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        finished = p.waitFor(Math.min(left, 200_000_000L), TimeUnit.NANOSECONDS);
        if (!finished && stop.getAsBoolean()) {
          stopped = true;
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = true;
    }
    if (!finished) {
      kill(p, marker);
    } else if (done != null) {
      try {
        java.nio.file.Files.createFile(done); // the watcher ends, and removes it
      } catch (IOException e) {
        LOG.warn(
            "restore drill: cannot tell its watcher that it ended ({}): what it left running is"
                + " killed when this service ends",
            e.getMessage());
      }
    }
    RUNNING.remove(p);
    try {
      // Output still in the pipe; a grandchild holding it open must not hang the audit.
      reader.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    String out = tail.text();
    if (stopped) {
      out = out + (out.isEmpty() || out.endsWith("\n") ? "" : "\n") + "(killed: the audit stopped)";
    }
    return new Result(command, finished ? p.exitValue() : null, ms, out, !finished);
  }

  /** The drills running in this JVM (their shells). */
  private static final java.util.Map<Process, String> RUNNING =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * An environment variable every drill gets, with a value of its own: what it started is found by
   * it, also in a session of its own (see {@link #kill}).
   */
  static final String MARKER = "IA_RESTORE_DRILL";

  static {
    // A drill runs in a session of its own: the service's end would not end it, and the instance
    // that resumes the run would restore into the same endpoint beside it (review 6 of session
    // 20: after SIGTERM, two pg_restore --clean into one database). A kill -9 leaves no hook.
    Runtime.getRuntime()
        .addShutdownHook(new Thread(RestoreDrill::killRunning, "restore-drill-shutdown"));
  }

  /** Kills every drill running in this JVM, with everything it started (the JVM's shutdown). */
  static void killRunning() {
    for (var e : java.util.Map.copyOf(RUNNING).entrySet()) {
      kill(e.getKey(), e.getValue());
    }
  }

  /**
   * The shell the command runs in: bash with {@code pipefail} where there is one, so that a failing
   * stage of a pipeline fails the restore ({@code gunzip -c broken.gz | psql} exited 0 under dash,
   * psql having restored nothing); else {@code /bin/sh}.
   */
  static final List<String> SHELL =
      java.nio.file.Files.isExecutable(Path.of("/bin/bash"))
          ? List.of("/bin/bash", "-o", "pipefail", "-c")
          : List.of("/bin/sh", "-c");

  /**
   * Put before the command when it runs in a session of its own: a watcher in that session ends the
   * session when this JVM ends without its shutdown hook (kill -9, an out-of-memory kill).
   * Regression (review 6 of session 20): a drill outlived {@code kill -9} of its service and could
   * run beside the drill of the instance that resumed the run. The watcher checks every second that
   * this JVM still runs; when it does not, it kills the session's process group. A drill that ended
   * is told so by {@code done} (created by this JVM once the shell has exited): the watcher then
   * removes it and ends, and what the drill left running stays. It is started out of the shell's
   * job table (a double fork), so that a command's {@code wait}, {@code jobs} or {@code %1} never
   * sees it, and it depends on no trap. Regression (review 5 of session 21): a first watcher, a job
   * of the shell, made {@code cmd1 & cmd2 & wait} wait for it until the drill timed out, and {@code
   * exec} or a command's own EXIT trap let it kill what a finished drill left.
   */
  static String watcher(Path done) {
    String d = shellQuote(done.toString());
    return "( ( while kill -0 "
        + ProcessHandle.current().pid()
        + " 2>/dev/null && [ ! -e "
        + d
        + " ]; do sleep 1; done; if [ -e "
        + d
        + " ]; then rm -f "
        + d
        + "; else kill -KILL 0; fi ) </dev/null >/dev/null 2>&1 & ); ";
  }

  /** A path no file has yet, for {@link #watcher}'s "done". */
  private static Path doneFile() {
    try {
      Path f = java.nio.file.Files.createTempFile("ia-drill-", ".done");
      java.nio.file.Files.delete(f);
      return f;
    } catch (IOException e) {
      return null; // no watcher: as before it, the drill outlives a kill -9 of this JVM
    }
  }

  /** util-linux's setsid, to run the command in a session (and process group) of its own. */
  private static final boolean SETSID =
      java.nio.file.Files.isExecutable(Path.of("/usr/bin/setsid"))
          || java.nio.file.Files.isExecutable(Path.of("/bin/setsid"));

  /** Variables a shell command needs to run at all, kept whatever they hold. */
  private static final java.util.Set<String> ESSENTIAL =
      java.util.Set.of("PATH", "HOME", "PWD", "SHELL", "TMPDIR", "LANG", "TZ", "USER", "LOGNAME");

  /**
   * Removes from {@code env} every variable whose value holds one of the secrets, as it is or
   * percent-encoded in any spelling (a JDBC or libpq URL with the password in it: Java's, Python's
   * and JavaScript's encoders leave different characters as they are, {@code +} may be a space, hex
   * digits either case). Regression (review 3 of session 20): only values equal to a secret were
   * removed, and a {@code PRIMARY_JDBC_URL} holding the primary's password reached the restore
   * command; then (review 5) only Java's encoding of it was recognised.
   */
  static void withhold(Map<String, String> env, java.util.Collection<String> secrets) {
    java.util.List<String> forms =
        secrets.stream().filter(x -> x != null && !x.isEmpty()).distinct().toList();
    env.entrySet()
        .removeIf(
            v ->
                v.getValue() != null
                    && !ESSENTIAL.contains(v.getKey())
                    && !v.getKey().startsWith("LC_")
                    && holdsSecret(v.getValue(), forms));
  }

  private static boolean holdsSecret(String value, java.util.List<String> secrets) {
    String decoded = percentDecoded(value, false);
    String plusDecoded = percentDecoded(value, true);
    for (String s : secrets) {
      if (value.contains(s) || decoded.contains(s) || plusDecoded.contains(s)) {
        return true;
      }
    }
    return false;
  }

  /** {@code %XX} sequences as the UTF-8 bytes they spell (and {@code +} as a space if asked). */
  static String percentDecoded(String value, boolean plusIsSpace) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(value.length());
    byte[] in = value.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < in.length; i++) {
      int b = in[i];
      if (b == '%'
          && i + 2 < in.length
          && Character.digit(in[i + 1], 16) >= 0
          && Character.digit(in[i + 2], 16) >= 0) {
        out.write(Character.digit(in[i + 1], 16) * 16 + Character.digit(in[i + 2], 16));
        i += 2;
      } else if (b == '+' && plusIsSpace) {
        out.write(' ');
      } else {
        out.write(b);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * Kills the process and everything it started: the tree is listed first (once the shell is dead
   * its children are no longer its descendants), then the shell, so it cannot start more.
   */
  private static void kill(Process p, String marker) {
    java.util.List<ProcessHandle> tree = p.descendants().toList();
    if (SETSID) {
      // The session's process group is the shell's pid: everything in it, also re-parented ones.
      try {
        new ProcessBuilder("kill", "-KILL", "--", "-" + p.pid())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start()
            .waitFor(5, TimeUnit.SECONDS);
      } catch (IOException e) {
        // the tree below still goes
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    p.destroyForcibly();
    tree.forEach(ProcessHandle::destroyForcibly);
    // Processes that left the session too (setsid, a daemonizing restore tool): they still carry
    // the drill's marker in their environment. Regression (review of session 22, documented until
    // session 23): `setsid sleep 300 &` outlived the drill's timeout. Killed until none is left,
    // as one may have started another meanwhile.
    for (int round = 0; round < 5; round++) {
      List<ProcessHandle> marked = carrying(marker);
      if (marked.isEmpty()) {
        break;
      }
      marked.forEach(ProcessHandle::destroyForcibly);
    }
    try {
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The processes whose environment holds the drill's marker, as far as {@code /proc} shows the
   * auditor's user (its own processes; all as root). Empty without {@code /proc}.
   */
  static List<ProcessHandle> carrying(String marker) {
    byte[] wanted =
        ("\0" + MARKER + "=" + marker + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.io.File[] procs =
        new java.io.File("/proc")
            .listFiles((d, n) -> !n.isEmpty() && n.chars().allMatch(Character::isDigit));
    List<ProcessHandle> out = new java.util.ArrayList<>();
    if (procs == null) {
      return out;
    }
    long self = ProcessHandle.current().pid();
    for (java.io.File proc : procs) {
      long pid = Long.parseLong(proc.getName());
      if (pid == self) {
        continue;
      }
      try {
        byte[] env = java.nio.file.Files.readAllBytes(proc.toPath().resolve("environ"));
        byte[] padded = new byte[env.length + 1];
        System.arraycopy(env, 0, padded, 1, env.length); // a leading NUL: the first variable too
        if (indexOf(padded, wanted) >= 0) {
          ProcessHandle.of(pid).ifPresent(out::add);
        }
      } catch (IOException | RuntimeException e) {
        // ended, or not ours to see
      }
    }
    return out;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Keeps the last {@value #TAIL_BYTES} bytes of a stream. */
  /**
   * Bytes kept before the tail, so that a secret the tail's cut would split is whole when the
   * output is redacted ({@link #tail} cuts afterwards). Regression (review of session 19): a
   * password printed across the cut left 11 of its 12 characters in {@code outputTail}.
   */
  static final int SLACK_BYTES = 4096;

  /**
   * The last {@value #TAIL_BYTES} bytes' worth of an output read with its slack and redacted: from
   * the first line that starts in them when one starts near the cut, marked {@code ...}.
   */
  public static String tail(String output) {
    if (output == null) {
      return null;
    }
    byte[] b = output.getBytes(StandardCharsets.UTF_8);
    if (b.length <= TAIL_BYTES) {
      return output;
    }
    String s = new String(b, b.length - TAIL_BYTES, TAIL_BYTES, StandardCharsets.UTF_8);
    int nl = s.indexOf('\n');
    return "..." + (nl >= 0 && nl < 200 ? s.substring(nl) : s);
  }

  private static final class Tail implements Runnable {
    private final InputStream in;
    private final byte[] ring = new byte[TAIL_BYTES + SLACK_BYTES];
    private long total;

    Tail(InputStream in) {
      this.in = in;
    }

    @Override
    public void run() {
      byte[] buf = new byte[8192];
      try {
        int n;
        while ((n = in.read(buf)) > 0) {
          synchronized (this) {
            for (int i = 0; i < n; i++) {
              ring[(int) (total++ % ring.length)] = buf[i];
            }
          }
        }
      } catch (IOException e) {
        // the process was killed: keep what was read
      }
    }

    /** The output kept, with its slack: {@code ...} first when more was written. */
    synchronized String text() {
      int size = ring.length;
      int len = (int) Math.min(total, size);
      byte[] out = new byte[len];
      long start = total - len;
      for (int i = 0; i < len; i++) {
        out[i] = ring[(int) ((start + i) % size)];
      }
      String s = new String(out, StandardCharsets.UTF_8);
      return total > size ? "..." + s : s;
    }
  }
}
