package io.integrityauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The application's main run with a configuration file in a JVM of its own, as a user runs it (exit
 * codes are only real there), from the test classpath: no jar needed.
 */
final class MainProcess {
  record Run(int code, String out, String err) {}

  private MainProcess() {}

  static Run run(Path dir, String command, String yaml, Map<String, String> env) throws Exception {
    return run(dir, command, yaml, env, List.of());
  }

  /** With arguments after the configuration file ({@code --table T}, {@code --json}, ...). */
  static Run run(Path dir, String command, String yaml, Map<String, String> env, List<String> args)
      throws Exception {
    Path config = dir.resolve("config-" + System.nanoTime() + ".yml");
    Files.writeString(config, yaml);
    List<String> cmd = new ArrayList<>();
    cmd.add(System.getProperty("java.home") + "/bin/java");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.integrityauditor.IntegrityAuditorApplication");
    cmd.add(command);
    cmd.add(config.toString());
    cmd.addAll(args);
    File out = dir.resolve("out-" + System.nanoTime()).toFile();
    File err = dir.resolve("err-" + System.nanoTime()).toFile();
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out).redirectError(err);
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("finished in time").isTrue();
    return new Run(
        p.exitValue(),
        Files.readString(out.toPath(), StandardCharsets.UTF_8),
        Files.readString(err.toPath(), StandardCharsets.UTF_8));
  }
}
