package io.integrityauditor.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotBlank;

/** The auditor's own database (history, findings, checkpoints). */
public class StateDatabaseConfig {
  @JsonProperty @NotBlank private String url = "jdbc:h2:file:./data/auditor";
  @JsonProperty private String user = "";
  @JsonProperty private String password = "";

  public String getUrl() {
    return url;
  }

  public String getUser() {
    return user;
  }

  public String getPassword() {
    return password;
  }

  @Override
  public String toString() {
    return "StateDatabaseConfig[url=" + Secrets.redactUrl(url) + "]";
  }
}
