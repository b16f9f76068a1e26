package io.integrityauditor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * One key value, one key, whichever path read it: a source hashing in SQL reads temporal, UUID and
 * boolean keys as the database's text (PostgreSQL's, MariaDB's), a source hashing in the JVM as
 * java.time and UUID objects. Users at risk intersect the keys of several copies, each possibly
 * read another way, and the report shows each copy's key.
 */
class KeyFormTest {
  private static final Column TIMESTAMPTZ =
      new Column("ts", "timestamp with time zone", Types.TIMESTAMP, false);
  private static final Column TIMESTAMP =
      new Column("ts", "timestamp without time zone", Types.TIMESTAMP, false);
  private static final Column DATETIME = new Column("ts", "DATETIME", Types.TIMESTAMP, false);
  private static final Column DATE = new Column("d", "date", Types.DATE, false);
  private static final Column TIME = new Column("t", "time without time zone", Types.TIME, false);
  private static final Column TIMETZ = new Column("t", "time with time zone", Types.TIME, false);
  private static final Column MARIA_TIME = new Column("t", "TIME", Types.TIME, false);
  private static final Column UUID_COLUMN = new Column("u", "uuid", Types.OTHER, false);
  private static final Column BOOL = new Column("b", "boolean", Types.BIT, false);
  private static final Column TEXT = new Column("s", "text", Types.VARCHAR, false);
  private static final Column NUMERIC = new Column("n", "numeric", Types.NUMERIC, false);

  /** The key as {@code JdbcDigestSource#readKeyAt} builds it from what the source read. */
  private static Key read(Column c, Object raw) {
    return new Key(java.util.Arrays.asList(Values.keyAsRead(raw, c)));
  }

  private static Map<String, Object> json(Key k) {
    return k.toMap(List.of("k"));
  }

  private static void sameKey(Key expected, Key... others) {
    for (Key k : others) {
      assertThat(k).isEqualTo(expected);
      assertThat(k.hashCode()).isEqualTo(expected.hashCode());
      assertThat(json(k)).isEqualTo(json(expected));
    }
  }

  /** The reviewer's row: a replica hashed in SQL, a backup hashed in the JVM (or in H2). */
  @Test
  void aTimestamptzKeyIsOneKeyFromSqlTextAndFromTheJvm() {
    Key nativeText = read(TIMESTAMPTZ, "2026-01-01 00:00:03.123456+00");
    Key jvm = read(TIMESTAMPTZ, LocalDateTime.of(2026, 1, 1, 0, 0, 3, 123_456_000));
    Key h2 =
        read(
            TIMESTAMPTZ,
            OffsetDateTime.of(2026, 1, 1, 2, 0, 3, 123_456_000, ZoneOffset.ofHours(2)));
    Key otherZone = read(TIMESTAMPTZ, "2026-01-01 05:30:03.123456+05:30");
    Key iso = read(TIMESTAMPTZ, "2026-01-01T00:00:03.123456Z");
    sameKey(nativeText, jvm, h2, otherZone, iso);
    assertThat(json(nativeText)).containsEntry("k", "2026-01-01 00:00:03.123456");
    assertThat(read(TIMESTAMPTZ, "2026-01-01 00:00:03.123457+00")).isNotEqualTo(nativeText);
  }

  @Test
  void timestampKeysHaveSecondsAlwaysAndFractionsWithoutTrailingZeros() {
    // LocalDateTime#toString drops zero seconds (2026-01-01T00:00), PostgreSQL prints them,
    // MariaDB prints the column's fractional digits (DATETIME(3): .120, DATETIME(6): .000000).
    sameKey(
        read(TIMESTAMP, "2026-01-01 00:00:00"),
        read(TIMESTAMP, LocalDateTime.of(2026, 1, 1, 0, 0)),
        read(DATETIME, "2026-01-01 00:00:00.000000"),
        read(TIMESTAMP, java.sql.Timestamp.valueOf("2026-01-01 00:00:00")));
    sameKey(
        read(TIMESTAMP, "2026-01-01 00:00:03.12"),
        read(DATETIME, "2026-01-01 00:00:03.120"),
        read(TIMESTAMP, LocalDateTime.of(2026, 1, 1, 0, 0, 3, 120_000_000)),
        read(TIMESTAMP, java.sql.Timestamp.valueOf("2026-01-01 00:00:03.12")));
    assertThat(json(read(DATETIME, "2026-01-01 00:00:03.120")))
        .containsEntry("k", "2026-01-01 00:00:03.12");
    // the zone of a timestamptz is not part of its key: one key for an instant, as in the JVM
    sameKey(
        read(TIMESTAMP, "2026-01-01 00:00:03.12"), read(TIMESTAMPTZ, "2026-01-01 00:00:03.12+00"));
  }

  @Test
  void timestampsBeyondTheCommonYearsAndNoDatesKeepTheirMeaning() {
    sameKey(
        read(TIMESTAMPTZ, "0044-03-15 00:00:00+00 BC"),
        read(TIMESTAMPTZ, LocalDateTime.of(-43, 3, 15, 0, 0)),
        read(TIMESTAMP, "0044-03-15 00:00:00 BC"));
    assertThat(json(read(TIMESTAMP, LocalDateTime.of(-43, 3, 15, 0, 0))))
        .containsEntry("k", "0044-03-15 00:00:00 BC");
    sameKey(
        read(TIMESTAMP, "10000-01-01 00:00:00"),
        read(TIMESTAMP, LocalDateTime.of(10000, 1, 1, 0, 0)));
    sameKey(read(TIMESTAMPTZ, "infinity"), read(TIMESTAMPTZ, "infinity"));
    assertThat(read(TIMESTAMPTZ, "-infinity")).isNotEqualTo(read(TIMESTAMPTZ, "infinity"));
    // MariaDB's zero and invalid dates: their text, as either path reads it
    sameKey(read(DATETIME, "0000-00-00 00:00:00"), read(DATETIME, "0000-00-00 00:00:00.000000"));
    assertThat(json(read(DATETIME, "2020-02-30 10:00:00.500")))
        .containsEntry("k", "2020-02-30 10:00:00.5");
  }

  @Test
  void dateKeys() {
    sameKey(
        read(DATE, "2026-01-01"),
        read(DATE, LocalDate.of(2026, 1, 1)),
        read(DATE, java.sql.Date.valueOf("2026-01-01")));
    sameKey(read(DATE, "0044-03-15 BC"), read(DATE, LocalDate.of(-43, 3, 15)));
    assertThat(json(read(DATE, LocalDate.of(2026, 1, 1)))).containsEntry("k", "2026-01-01");
  }

  @Test
  void timeKeys() {
    sameKey(
        read(TIME, "13:45:00"),
        read(TIME, LocalTime.of(13, 45)), // LocalTime#toString: 13:45
        read(MARIA_TIME, "13:45:00.000000"),
        read(TIME, java.sql.Time.valueOf("13:45:00")));
    sameKey(
        read(TIME, "00:00:03.123456"),
        read(TIME, LocalTime.of(0, 0, 3, 123_456_000)),
        read(MARIA_TIME, "00:00:03.123456"));
    // 24:00:00 (PostgreSQL) as the JVM path writes it, and MariaDB's times beyond a day
    sameKey(read(TIME, "24:00:00"), read(TIME, "24:00"));
    sameKey(read(MARIA_TIME, "838:59:59"), read(MARIA_TIME, "838:59:59.000000"));
    sameKey(read(MARIA_TIME, "-01:00:00.5"), read(MARIA_TIME, "-01:00:00.500000"));
    sameKey(
        read(TIMETZ, "13:45:00+02"),
        read(TIMETZ, OffsetTime.of(13, 45, 0, 0, ZoneOffset.ofHours(2))));
    sameKey(
        read(TIMETZ, "13:45:00.5+05:30"),
        read(TIMETZ, OffsetTime.of(13, 45, 0, 500_000_000, ZoneOffset.ofHoursMinutes(5, 30))));
    assertThat(json(read(TIME, LocalTime.of(13, 45)))).containsEntry("k", "13:45:00");
  }

  @Test
  void uuidKeys() {
    UUID u = UUID.fromString("0b7e0c2a-5f0e-4a52-9d1c-7f1f2a3b4c5d");
    sameKey(
        read(UUID_COLUMN, u),
        read(UUID_COLUMN, "0b7e0c2a-5f0e-4a52-9d1c-7f1f2a3b4c5d"),
        read(UUID_COLUMN, "0B7E0C2A-5F0E-4A52-9D1C-7F1F2A3B4C5D"));
    assertThat(json(read(UUID_COLUMN, u))).containsEntry("k", u.toString());
  }

  @Test
  void numericKeys() {
    sameKey(read(NUMERIC, new BigDecimal("1.5")), read(NUMERIC, new BigDecimal("1.50")));
    // bigint and numeric(20,0): a whole number is the integer it is
    sameKey(read(NUMERIC, 42L), read(NUMERIC, new BigDecimal("42")), read(NUMERIC, 42));
    sameKey(
        read(NUMERIC, new BigInteger("18446744073709551615")),
        read(NUMERIC, new BigDecimal("18446744073709551615")));
    assertThat(json(read(NUMERIC, new BigDecimal("42.000")))).containsEntry("k", 42L);
  }

  @Test
  void booleanKeys() {
    sameKey(read(BOOL, Boolean.TRUE), read(BOOL, "t"), read(BOOL, "true"));
    sameKey(read(BOOL, Boolean.FALSE), read(BOOL, "f"));
    assertThat(read(BOOL, "t")).isNotEqualTo(read(BOOL, "f"));
  }

  @Test
  void textKeysAreTakenAsTheyAre() {
    // text that reads as a time is still text: no two texts become one key
    assertThat(read(TEXT, "2026-01-01 00:00:03.120+00"))
        .isNotEqualTo(read(TEXT, "2026-01-01 00:00:03.12"));
    assertThat(Values.keyAsRead("A b ", TEXT)).isEqualTo("A b ");
    assertThat(Values.keyAsRead("T", TEXT)).isEqualTo("T");
    assertThat(read(TEXT, "Bob")).isNotEqualTo(read(TEXT, "bob"));
  }
}
