package io.integrityauditor.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotBlank;
import java.util.List;

/** A table of a dataset: how its rows are identified, owned and compared. */
public record TableConfig(
    @JsonProperty("name") @NotBlank String name,
    @JsonProperty("key") List<String> key,
    @JsonProperty("owner") String owner,
    @JsonProperty("updatedAt") String updatedAt,
    @JsonProperty("exclude") List<String> exclude) {

  public TableConfig {
    key = key == null ? List.of() : List.copyOf(key);
    exclude = exclude == null ? List.of() : List.copyOf(exclude);
  }
}
