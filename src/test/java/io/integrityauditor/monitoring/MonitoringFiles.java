package io.integrityauditor.monitoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The repository's monitoring files: Prometheus rules in {@code alerts/}, their promtool tests in
 * {@code alerts/tests/}, Grafana dashboards in {@code dashboards/}, and the metric names they use.
 */
public final class MonitoringFiles {
  private static final Pattern METRIC = Pattern.compile("integrity_[a-z_]+");
  // A histogram or summary is named without these series suffixes.
  private static final Pattern SERIES_SUFFIX = Pattern.compile("_(bucket|count|sum)$");

  private MonitoringFiles() {}

  /**
   * Every {@code integrity_*} metric name referenced in {@code alerts/*.yml} and {@code
   * dashboards/*.json}, sorted; {@code _bucket}, {@code _count} and {@code _sum} are stripped.
   */
  public static Set<String> metricNames() {
    var files = new ArrayList<Path>(ruleFiles());
    files.addAll(dashboardFiles());
    return metricNamesIn(files);
  }

  /** The {@code integrity_*} metric names that occur in the given files, suffixes stripped. */
  public static Set<String> metricNamesIn(Collection<Path> files) {
    var names = new TreeSet<String>();
    for (Path file : files) {
      Matcher m = METRIC.matcher(read(file));
      while (m.find()) {
        names.add(SERIES_SUFFIX.matcher(m.group()).replaceFirst(""));
      }
    }
    return names;
  }

  /** The project directory (Maven runs tests there). */
  public static Path projectDir() {
    Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    return dir.toAbsolutePath().normalize();
  }

  /** {@code alerts/*.yml}: the rule files. */
  public static List<Path> ruleFiles() {
    return list(projectDir().resolve("alerts"), ".yml");
  }

  /** {@code alerts/tests/*.yml}: the promtool unit tests of the rules. */
  public static List<Path> ruleTestFiles() {
    return list(projectDir().resolve("alerts/tests"), ".yml");
  }

  /** {@code dashboards/*.json}: the Grafana dashboards. */
  public static List<Path> dashboardFiles() {
    return list(projectDir().resolve("dashboards"), ".json");
  }

  /** {@code docs/runbooks.md}. */
  public static Path runbooks() {
    return projectDir().resolve("docs/runbooks.md");
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> list(Path dir, String suffix) {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(suffix))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
