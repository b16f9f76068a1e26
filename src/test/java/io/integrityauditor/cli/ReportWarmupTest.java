package io.integrityauditor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.integrityauditor.audit.AuditReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The report warm-up ({@link AuditCommand#warmReport}) builds the serializers of every type a
 * report holds only if its made-up report holds one of each: a type added to the report later must
 * be added to the sample too, or its serializer is built at the end of every audit again.
 */
class ReportWarmupTest {

  @Test
  void theSampleHoldsEveryRecordTypeOfTheReport() throws Exception {
    Set<Class<?>> held = new HashSet<>();
    collect(AuditCommand.sampleReport(), held);
    Set<Class<?>> all = new HashSet<>();
    all.add(AuditReport.class);
    for (Class<?> c : AuditReport.class.getDeclaredClasses()) {
      if (c.isRecord()) {
        all.add(c);
      }
    }
    assertThat(all).hasSize(8);
    assertThat(held).containsAll(all);
  }

  @Test
  void theSamplePrintsAsJsonAndText() throws Exception {
    ObjectMapper mapper = Jackson.newObjectMapper();
    JsonNode json = mapper.readTree(mapper.writeValueAsString(AuditCommand.sampleReport()));
    assertThat(json.at("/tables/0/copies/0/findings/0/key/id").asLong()).isEqualTo(1);
    assertThat(json.at("/backups/0/restore/exitCode").asInt()).isZero();
    assertThat(json.at("/backups/0/findings/0/kind").asText()).isEqualTo("STALE");
    assertThat(json.at("/replication/0/state").asText()).isEqualTo("STREAMING");
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    ReportPrinter.print(AuditCommand.sampleReport(), new PrintStream(text, true, "UTF-8"));
    assertThat(text.toString(StandardCharsets.UTF_8)).contains("CHANGED").contains("replica");
  }

  /** Every record reachable from {@code o} through record components, lists and maps. */
  private static void collect(Object o, Set<Class<?>> out) throws Exception {
    if (o == null) {
      return;
    }
    if (o instanceof Collection<?> c) {
      for (Object e : c) {
        collect(e, out);
      }
    } else if (o instanceof Map<?, ?> m) {
      for (Object e : m.values()) {
        collect(e, out);
      }
    } else if (o.getClass().isRecord()) {
      out.add(o.getClass());
      for (RecordComponent rc : o.getClass().getRecordComponents()) {
        collect(rc.getAccessor().invoke(o), out);
      }
    }
  }
}
