package io.integrityauditor.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import io.integrityauditor.engine.CompareSettings;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Regression: the native PostgreSQL row hash was {@code hash_record_extended}, whose column hashes
 * follow each type's equality, not identity. These eight changes on a copy gave the same row hash
 * as the primary's rows and were not found: a jsonb array with its elements 0 and 32 swapped (the
 * jsonb hash rotates each 32-bit half by one bit per element), {"n": 1.0} vs {"n": 1.00}, [] vs {}
 * (every empty container hashes to the seed), ["a"] vs [[["a"]]] (container marks are XORed in
 * unrotated, so three cancel to one), numeric 1.0 vs 1.00, interval '1 day' vs '24 hours', double
 * precision 0 vs -0, and a case-only change of a text column under a case-insensitive
 * (nondeterministic) collation. The audit must report each, with the column that changed, while
 * hashing natively. Session 6 added two the exact hash itself missed: numeric NaN vs Infinity and
 * Infinity vs -Infinity (PostgreSQL's numeric hash returns the seed for every special value, and
 * their scale is NULL); NULL vs NaN is checked beside them.
 */
class PostgresExactHashTest {
  private static final int PORT = TestDatabases.PG_PRIMARY_PORT;

  @Test
  void valuesEqualByTheirTypeButNotTheSameAreFound() throws Exception {
    for (String db : new String[] {"exact_p", "exact_c"}) {
      TestDatabases.recreatePgDatabase(PORT, db);
      TestDatabases.execute(
          TestDatabases.pgUrl(PORT, db),
          "CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)",
          "CREATE TABLE t (id bigint PRIMARY KEY, owner int NOT NULL, j jsonb, n numeric,"
              + " iv interval, d double precision, s text COLLATE ci)",
          "INSERT INTO t SELECT g, g % 7, (SELECT jsonb_agg(x) FROM generate_series(0, 32) x),"
              + " 1.0, interval '1 day', 0, 'Hello' FROM generate_series(1, 100) g",
          "UPDATE t SET j = '{\"n\": 1.0}' WHERE id = 6",
          "UPDATE t SET j = '[]' WHERE id = 11",
          "UPDATE t SET j = '[\"a\"]' WHERE id = 12",
          "UPDATE t SET n = 'NaN' WHERE id = 13",
          "UPDATE t SET n = 'Infinity' WHERE id = 14",
          "UPDATE t SET n = NULL WHERE id = 15");
    }
    TestDatabases.execute(
        TestDatabases.pgUrl(PORT, "exact_c"),
        "UPDATE t SET j = (SELECT jsonb_agg(CASE x WHEN 0 THEN 32 WHEN 32 THEN 0 ELSE x END"
            + " ORDER BY x) FROM generate_series(0, 32) x) WHERE id = 5",
        "UPDATE t SET j = '{\"n\": 1.00}' WHERE id = 6",
        "UPDATE t SET n = 1.00 WHERE id = 7",
        "UPDATE t SET iv = interval '24 hours' WHERE id = 8",
        "UPDATE t SET d = '-0' WHERE id = 9",
        "UPDATE t SET s = 'hello' WHERE id = 10",
        "UPDATE t SET j = '{}' WHERE id = 11",
        "UPDATE t SET j = '[[[\"a\"]]]' WHERE id = 12",
        "UPDATE t SET n = 'Infinity' WHERE id = 13",
        "UPDATE t SET n = '-Infinity' WHERE id = 14",
        "UPDATE t SET n = 'NaN' WHERE id = 15");

    AuditReport r =
        new AuditFixture()
            .primary("p", TestDatabases.pgEndpoint(PORT, "exact_p"))
            .replica("c", TestDatabases.pgEndpoint(PORT, "exact_c"))
            .table("public.t", "owner")
            .run(CompareSettings.defaults());

    AuditReport.CopyReport copy = AuditFixture.copy(r, "public.t", "c");
    assertThat(copy.hashing()).isEqualTo("NATIVE");
    Map<String, Object> changed = new TreeMap<>();
    for (var f : copy.findings()) {
      changed.put(f.kind() + " " + AuditFixture.keyText(f.key()), f.columns());
    }
    assertThat(changed)
        .containsExactlyInAnyOrderEntriesOf(
            Map.ofEntries(
                Map.entry("CHANGED 5", java.util.List.of("j")),
                Map.entry("CHANGED 6", java.util.List.of("j")),
                Map.entry("CHANGED 7", java.util.List.of("n")),
                Map.entry("CHANGED 8", java.util.List.of("iv")),
                Map.entry("CHANGED 9", java.util.List.of("d")),
                Map.entry("CHANGED 10", java.util.List.of("s")),
                Map.entry("CHANGED 11", java.util.List.of("j")),
                Map.entry("CHANGED 12", java.util.List.of("j")),
                Map.entry("CHANGED 13", java.util.List.of("n")),
                Map.entry("CHANGED 14", java.util.List.of("n")),
                Map.entry("CHANGED 15", java.util.List.of("n"))));
  }
}
