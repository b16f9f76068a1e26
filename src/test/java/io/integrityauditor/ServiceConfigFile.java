package io.integrityauditor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a service config file for tests: ports 0 unless given, tokens viewer/admin. */
public final class ServiceConfigFile {
  public static final String VIEWER_TOKEN = "viewer-token-7f3a";
  public static final String ADMIN_TOKEN = "admin-token-91bc";

  private ServiceConfigFile() {}

  /**
   * @param dir where the file (and an H2 state database, if stateUrl is null) go
   * @param stateUrl JDBC URL of the state database, or null for an H2 file in dir
   * @param body the endpoints:, datasets: and other sections, as YAML
   */
  public static Path write(Path dir, String stateUrl, String body) {
    try {
      Files.createDirectories(dir);
      String state =
          stateUrl == null ? "jdbc:h2:file:" + dir.resolve("state").toAbsolutePath() : stateUrl;
      String yaml =
          "server:\n"
              + "  applicationConnectors: [{type: http, port: 0, bindHost: 127.0.0.1}]\n"
              + "  adminConnectors: [{type: http, port: 0, bindHost: 127.0.0.1}]\n"
              + "  requestLog: {appenders: []}\n"
              + "logging:\n"
              + "  level: INFO\n"
              + "  appenders:\n"
              + "    - {type: file, currentLogFilename: "
              + dir.resolve("service.log").toAbsolutePath()
              + ", archive: false, logFormat: \"%-5level [%thread] %logger{0}: %msg%n%ex\"}\n"
              + "stateDatabase:\n"
              + "  url: \""
              + state
              + "\"\n"
              + "  user: postgres\n"
              + "auth:\n"
              + "  tokens:\n"
              + "    - {name: oncall-bot, role: viewer, token: "
              + VIEWER_TOKEN
              + "}\n"
              + "    - {name: dba-team, role: admin, token: "
              + ADMIN_TOKEN
              + "}\n"
              + body;
      Path file = dir.resolve("config.yml");
      Files.writeString(file, yaml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
