package io.integrityauditor.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.audit.AuditReport;
import io.integrityauditor.audit.AuditRequest;
import io.integrityauditor.audit.AuditService;
import io.integrityauditor.audit.EndpointConnector;
import io.integrityauditor.config.BackupConfig;
import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.engine.CompareSettings;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** One dataset with replicas and backups over real endpoints; runs audits and shell commands. */
final class BackupScenario {
  static final CompareSettings SMALL_CHUNKS =
      CompareSettings.defaults().withChunkRows(300, 100, 800).withLeafRows(8, 4);

  private final Map<String, EndpointConfig> endpoints = new LinkedHashMap<>();
  private String primary;
  private final List<String> replicas = new ArrayList<>();
  private final List<BackupConfig> backups = new ArrayList<>();
  private final List<TableConfig> tables = new ArrayList<>();

  BackupScenario primary(String name, EndpointConfig e) {
    endpoints.put(name, e);
    primary = name;
    return this;
  }

  BackupScenario replica(String name, EndpointConfig e) {
    endpoints.put(name, e);
    replicas.add(name);
    return this;
  }

  BackupScenario backup(EndpointConfig e, BackupConfig b) {
    endpoints.put(b.endpoint(), e);
    backups.add(b);
    return this;
  }

  BackupScenario table(String name, String owner, String updatedAt) {
    tables.add(new TableConfig(name, List.of("id"), owner, updatedAt, List.of()));
    return this;
  }

  BackupScenario table(TableConfig t) {
    tables.add(t);
    return this;
  }

  AuditReport run() {
    DatasetConfig ds = new DatasetConfig(primary, replicas, backups, null, tables);
    AuditService service =
        new AuditService(
            Map.of("d", ds),
            new EndpointConnector(endpoints, Duration.ofMinutes(1), Duration.ofSeconds(5)),
            SMALL_CHUNKS,
            Clock.systemUTC());
    return service.run(
        new AuditRequest("d", null, null), AuditService.Progress.NONE, new AtomicBoolean());
  }

  /** "KIND key" of one copy of one table, sorted numerically by key. */
  static Set<String> findings(AuditReport r, String table, String copy) {
    Set<String> out = new TreeSet<>();
    for (var f : copy(r, table, copy).findings()) {
      out.add(f.kind() + " " + f.key().values().iterator().next());
    }
    return out;
  }

  static AuditReport.CopyReport copy(AuditReport r, String table, String copy) {
    return r.tables().stream()
        .filter(t -> t.table().equals(table))
        .flatMap(t -> t.copies().stream())
        .filter(c -> c.endpoint().equals(copy))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no copy " + copy + " of " + table + " in " + r));
  }

  /** Runs a shell command (a dump, a restore) and fails the test when it fails. */
  static void sh(String command) throws Exception {
    Process p =
        new ProcessBuilder("/bin/sh", "-c", command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.PIPE)
            .start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("%s%n%s", command, out).isZero();
  }

  static Path dir(String name) throws Exception {
    Path d = Files.createTempDirectory(name);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try (var walk = Files.walk(d)) {
                    walk.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
                  } catch (java.io.IOException ignored) {
                    // best effort
                  }
                }));
    return d;
  }

  static void age(Path file, Duration by) {
    File f = file.toFile();
    assertThat(f.setLastModified(System.currentTimeMillis() - by.toMillis())).isTrue();
  }
}
