package io.integrityauditor.backup;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;

/**
 * Reads the value an {@code asOf} query returned as an instant, and writes an instant as the
 * watermark the comparison binds against the updatedAt column. Audited sessions run in UTC, so a
 * time without an offset is UTC.
 */
public final class BackupTime {
  private static final DateTimeFormatter LOCAL =
      new DateTimeFormatterBuilder()
          .parseCaseInsensitive()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .optionalStart()
          .appendLiteral('T')
          .optionalEnd()
          .optionalStart()
          .appendLiteral(' ')
          .optionalEnd()
          .appendPattern("HH:mm")
          .optionalStart()
          .appendPattern(":ss")
          .optionalEnd()
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .optionalStart()
          .optionalStart()
          .appendLiteral(' ')
          .optionalEnd()
          .appendOffset("+HH:mm", "Z")
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HH", "Z")
          .optionalEnd()
          .toFormatter(Locale.ROOT);

  private static final DateTimeFormatter WATERMARK =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private BackupTime() {}

  /**
   * The instant of a value read from a database: a timestamp (with or without offset, as text or a
   * JDBC/java.time object), a date, or a number of seconds since the epoch.
   *
   * @throws IllegalArgumentException when the value is not a time
   */
  /**
   * Epoch seconds to the microsecond (the databases' precision). Regression (review 6 of session
   * 22): they were rounded to the millisecond, so a row written 200 µs after the backup was a false
   * MISSING.
   */
  private static Instant epochSeconds(java.math.BigDecimal seconds) {
    long micros =
        seconds.movePointRight(6).setScale(0, java.math.RoundingMode.HALF_EVEN).longValueExact();
    return Instant.EPOCH.plus(micros, java.time.temporal.ChronoUnit.MICROS);
  }

  public static Instant parse(Object value) {
    if (value == null) {
      throw new IllegalArgumentException("no value");
    }
    if (value instanceof Instant i) {
      return i;
    }
    if (value instanceof OffsetDateTime o) {
      return o.toInstant();
    }
    if (value instanceof java.time.ZonedDateTime z) {
      return z.toInstant();
    }
    if (value instanceof LocalDateTime l) {
      return l.toInstant(ZoneOffset.UTC);
    }
    if (value instanceof LocalDate d) {
      return d.atStartOfDay().toInstant(ZoneOffset.UTC);
    }
    if (value instanceof Number n) {
      return epochSeconds(new java.math.BigDecimal(n.toString()));
    }
    String s = value.toString().trim();
    if (s.matches("-?\\d+(\\.\\d+)?")) {
      return epochSeconds(new java.math.BigDecimal(s));
    }
    try {
      var parsed = LOCAL.parseBest(s, OffsetDateTime::from, LocalDateTime::from);
      if (parsed instanceof OffsetDateTime o) {
        return o.toInstant();
      }
      return ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      try {
        return LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        throw new IllegalArgumentException("not a time: '" + s + "'");
      }
    }
  }

  /** The instant as UTC text with microseconds, without offset: what audited sessions compare. */
  public static String watermark(Instant t) {
    return WATERMARK.format(t);
  }
}
