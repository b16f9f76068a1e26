package io.integrityauditor.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.NotBlank;

/** A restored backup of a dataset, compared as of the time the backup was taken. */
public record BackupConfig(
    @JsonProperty("endpoint") @NotBlank String endpoint,
    @JsonProperty("asOf") String asOf,
    @JsonProperty("maxAge") Duration maxAge,
    @JsonProperty("restoreCommand") String restoreCommand,
    @JsonProperty("files") String files) {}
