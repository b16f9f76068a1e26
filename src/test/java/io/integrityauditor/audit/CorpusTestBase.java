package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.config.TableConfig;
import io.integrityauditor.engine.CompareSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The divergence corpus against one engine; subclasses provide the databases. */
abstract class CorpusTestBase {
  abstract DivergenceCorpus.Engine engine();

  abstract EndpointConfig primaryEndpoint();

  abstract EndpointConfig copyEndpoint();

  /** Fresh, empty primary and copy databases. */
  abstract void recreate() throws SQLException;

  abstract Connection adminPrimary() throws SQLException;

  abstract Connection adminCopy() throws SQLException;

  /** The hashing flavour expected for this engine pair. */
  abstract String expectedHashing();

  /** Called after loading and before planting; may alter the copy (e.g. a column type). */
  void afterLoad(Connection copy) throws SQLException {}

  static final List<String> TABLES = List.of("corpus", "todo", "photo", "event", "uniq");

  AuditFixture fixture() {
    AuditFixture f =
        new AuditFixture().primary("p", primaryEndpoint()).replica("c", copyEndpoint());
    f.table(new TableConfig("corpus", List.of("id"), "owner_id", null, List.of()));
    f.table("todo", null);
    f.table("photo", "owner_id");
    f.table("event", null);
    f.table("uniq", null);
    return f;
  }

  @Test
  void findsEveryPlantedDifferenceExactlyAndNothingElse() throws Exception {
    recreate();
    try (Connection p = adminPrimary();
        Connection c = adminCopy()) {
      DivergenceCorpus.load(p, engine());
      DivergenceCorpus.load(c, engine());
      afterLoad(c);
    }
    AuditReport same = fixture().run(AuditFixture.TINY_CHUNKS);
    assertThat(same.error()).isNull();
    assertThat(same.status()).isEqualTo(AuditReport.Status.CONSISTENT);
    assertThat(same.exitCode()).isZero();
    assertThat(same.tables()).hasSize(5);
    assertThat(AuditFixture.copy(same, "corpus", "c").hashing()).isEqualTo(expectedHashing());
    assertThat(same.tables().get(0).rowsChecked()).isEqualTo(3010);

    try (Connection c = adminCopy()) {
      DivergenceCorpus.plant(c, engine());
    }
    for (CompareSettings settings : List.of(AuditFixture.TINY_CHUNKS, CompareSettings.defaults())) {
      AuditReport r = fixture().run(settings);
      assertThat(r.error()).isNull();
      assertThat(r.status()).isEqualTo(AuditReport.Status.FINDINGS);
      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(AuditFixture.findings(r, "corpus", "c"))
          .isEqualTo(DivergenceCorpus.expectedCorpus());
      AuditReport.CopyReport corpus = AuditFixture.copy(r, "corpus", "c");
      assertThat(corpus.changed()).isEqualTo(21);
      assertThat(corpus.missing()).isEqualTo(4);
      assertThat(corpus.extra()).isEqualTo(4);
      assertThat(columnsOf(corpus, "15")).containsExactly("s", "s2");
      assertThat(columnsOf(corpus, "16")).containsExactly("n");
      assertThat(columnsOf(corpus, "17")).containsExactly("ts");
      assertThat(columnsOf(corpus, "18")).containsExactly("tstz");
      assertThat(columnsOf(corpus, "19")).containsExactly("d");
      assertThat(columnsOf(corpus, "20")).containsExactly("b");
      assertThat(columnsOf(corpus, "21")).containsExactly("j");
      assertThat(AuditFixture.findings(r, "todo", "c")).isEqualTo(DivergenceCorpus.expectedTodo());
      assertThat(AuditFixture.findings(r, "photo", "c"))
          .isEqualTo(DivergenceCorpus.expectedPhoto());
      assertThat(AuditFixture.findings(r, "uniq", "c")).isEqualTo(DivergenceCorpus.expectedUniq());
      Set<String> events = AuditFixture.findings(r, "event", "c");
      assertThat(events).hasSize(2);
      assertThat(events).anyMatch(e -> e.startsWith("CHANGED ") && e.contains("12:05:00.000005"));
      assertThat(events).anyMatch(e -> e.startsWith("EXTRA ") && e.contains("12:09:00.00001"));
      // owners of MISSING and CHANGED corpus/photo rows: ids % 97 and photo owners
      Set<String> owners = new TreeSet<>();
      for (long id :
          new long[] {
            10,
            11,
            12,
            13,
            14,
            15,
            16,
            17,
            18,
            19,
            20,
            21,
            22,
            23,
            24,
            26,
            30,
            31,
            40,
            41,
            DivergenceCorpus.BIG + 5,
            1,
            2000,
            DivergenceCorpus.BIG + 3,
            DivergenceCorpus.BIG + 10
          }) {
        owners.add(Long.toString(id % 97));
      }
      owners.add(Integer.toString(7 % 7));
      owners.add(Integer.toString(33 % 7));
      assertThat(r.usersAtRisk()).isEqualTo(owners.size());
      assertThat(new TreeSet<>(r.usersAtRiskSample())).isEqualTo(owners);
      assertThat(r.usersAtRiskComplete()).isTrue();
    }
    // Fewer lost-row keys kept than the corpus loses: the roll-up says it is a lower bound.
    AuditReport bounded = fixture().run(CompareSettings.defaults().withLostRowsCap(3));
    assertThat(bounded.usersAtRiskComplete()).isFalse();
    assertThat(AuditFixture.copy(bounded, "corpus", "c").missing()).isEqualTo(4);
  }

  private static List<String> columnsOf(AuditReport.CopyReport c, String id) {
    return c.findings().stream()
        .filter(f -> String.valueOf(f.key().values().iterator().next()).equals(id))
        .findFirst()
        .orElseThrow()
        .columns()
        .stream()
        .map(n -> n.toLowerCase(java.util.Locale.ROOT))
        .toList();
  }

  @Test
  void refusesATableWithoutAnyUniqueKeyAndNamesIt() throws Exception {
    recreate();
    try (Connection p = adminPrimary();
        Connection c = adminCopy()) {
      DivergenceCorpus.load(p, engine());
      DivergenceCorpus.load(c, engine());
    }
    AuditReport r =
        new AuditFixture()
            .primary("p", primaryEndpoint())
            .replica("c", copyEndpoint())
            .table("nokey", null)
            .run(CompareSettings.defaults());
    assertThat(r.status()).isEqualTo(AuditReport.Status.FAILED);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.error()).contains("nokey").contains("neither a primary key nor a unique key");
  }
}
