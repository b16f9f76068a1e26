package io.integrityauditor.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import io.integrityauditor.TestDatabases;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Regression: PostgreSQL's hash_record_extended combines column hashes linearly (31·h + next), so
 * the sum over rows of the raw record hash is the same, modulo 2^64, when two rows swap a column
 * value. Rows (1,'x'),(2,'y') and (1,'y'),(2,'x') gave sums differing by exactly 2^64. The dialect
 * mixes each row hash again (hashint8extended), which this test proves catches the swap.
 */
class PostgresRowHashTest {
  private static BigInteger sum(Statement s, String expr, String rows) throws Exception {
    try (ResultSet rs =
        s.executeQuery("SELECT sum(" + expr + ") FROM (VALUES " + rows + ") v(a, b)")) {
      rs.next();
      return rs.getBigDecimal(1).toBigInteger();
    }
  }

  @Test
  void rawRecordHashSumMissesASwapAndTheMixedHashDoesNot() throws Exception {
    String original = "(1, 'x'), (2, 'y')";
    String swapped = "(1, 'y'), (2, 'x')";
    try (Connection c =
            TestDatabases.admin(TestDatabases.pgUrl(TestDatabases.PG_PRIMARY_PORT, "postgres"));
        Statement s = c.createStatement()) {
      String raw = "hash_record_extended(ROW(a, b), 0)";
      BigInteger two64 = BigInteger.ONE.shiftLeft(64);
      assertThat(sum(s, raw, original).mod(two64)).isEqualTo(sum(s, raw, swapped).mod(two64));

      String mixed = "hashint8extended(hash_record_extended(ROW(a, b), 0), 0)";
      assertThat(sum(s, mixed, original).mod(two64))
          .isNotEqualTo(sum(s, mixed, swapped).mod(two64));
    }
  }
}
