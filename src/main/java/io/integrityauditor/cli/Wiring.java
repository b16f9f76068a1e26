package io.integrityauditor.cli;

import io.integrityauditor.IntegrityAuditorConfiguration;
import io.integrityauditor.audit.AuditService;
import io.integrityauditor.audit.EndpointConnector;
import io.integrityauditor.engine.CompareSettings;
import java.time.Clock;
import java.time.Duration;

/** Builds the audit object graph from configuration, by hand. */
public final class Wiring {
  private Wiring() {}

  public static AuditService auditService(IntegrityAuditorConfiguration config) {
    var audit = config.getAudit();
    EndpointConnector connector =
        new EndpointConnector(
                config.getEndpoints(),
                Duration.ofMillis(audit.getStatementTimeout().toMilliseconds()),
                Duration.ofMillis(audit.getConnectTimeout().toMilliseconds()))
            .withOtherSecrets(config.nonEndpointSecrets());
    CompareSettings settings =
        CompareSettings.defaults()
            .withFindingsCap(audit.getFindingsCap())
            .withChunkTarget(Duration.ofMillis(audit.getChunkTarget().toMilliseconds()))
            .withReplicaSync(
                Duration.ofMillis(audit.getReplicaWait().toMilliseconds()),
                audit.getRecheckAttempts())
            .withOnePassMaxRows(audit.getOnePassMaxRows());
    return new AuditService(
        config.getDatasets(),
        connector,
        settings,
        Clock.systemUTC(),
        Duration.ofMillis(audit.getMaxReplicaLag().toMilliseconds()));
  }
}
