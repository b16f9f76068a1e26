package io.integrityauditor.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import java.util.List;

/** A set of tables with one primary and its copies. */
public record DatasetConfig(
    @JsonProperty("primary") @NotBlank String primary,
    @JsonProperty("replicas") List<String> replicas,
    @JsonProperty("backups") @Valid List<BackupConfig> backups,
    @JsonProperty("schedule") String schedule,
    @JsonProperty("tables") @Valid @NotEmpty List<TableConfig> tables) {

  public DatasetConfig {
    replicas = replicas == null ? List.of() : List.copyOf(replicas);
    backups = backups == null ? List.of() : List.copyOf(backups);
    tables = tables == null ? List.of() : List.copyOf(tables);
  }
}
