package io.integrityauditor.cli;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Sidekick-like user data for the demo: contacts, calendar events, to-dos and photo metadata of a
 * few thousand users, generated deterministically so every copy starts identical.
 */
final class DemoData {
  static final int USERS = 2500;
  private static final LocalDateTime EPOCH = LocalDateTime.of(2009, 10, 2, 9, 0);
  private static final List<String> FIRST =
      List.of("Ana", "Ben", "Chloé", "Dmitri", "Emeka", "Fatima", "Göran", "Hiro", "Inés", "Jamal");
  private static final List<String> LAST =
      List.of("Okafor", "Nguyen", "Müller", "Silva", "Kowalski", "Haddad", "Tanaka", "O'Brien");

  private DemoData() {}

  static void createSchema(Connection c, boolean postgres) throws SQLException {
    String text = postgres ? "text" : "varchar(1000)";
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE contacts (id bigint PRIMARY KEY, user_id bigint NOT NULL, name "
              + text
              + " NOT NULL, email "
              + text
              + ", phone "
              + text
              + ", updated_at timestamp(6) NOT NULL)");
      s.execute(
          "CREATE TABLE calendar_events (id bigint PRIMARY KEY, user_id bigint NOT NULL, title "
              + text
              + " NOT NULL, starts_at timestamp(6) NOT NULL, ends_at timestamp(6) NOT NULL,"
              + " location "
              + text
              + ")");
      s.execute(
          "CREATE TABLE todos (user_id bigint NOT NULL, position int NOT NULL, title "
              + text
              + " NOT NULL, done boolean NOT NULL, PRIMARY KEY (user_id, position))");
      s.execute(
          "CREATE TABLE photos (id uuid PRIMARY KEY, user_id bigint NOT NULL, filename "
              + text
              + " NOT NULL, size_bytes bigint NOT NULL, taken_at timestamp(6) NOT NULL)");
    }
  }

  static void seed(Connection c) throws SQLException {
    Random rnd = new Random(2009);
    c.setAutoCommit(false);
    try (PreparedStatement contacts =
            c.prepareStatement("INSERT INTO contacts VALUES (?, ?, ?, ?, ?, ?)");
        PreparedStatement events =
            c.prepareStatement("INSERT INTO calendar_events VALUES (?, ?, ?, ?, ?, ?)");
        PreparedStatement todos = c.prepareStatement("INSERT INTO todos VALUES (?, ?, ?, ?)");
        PreparedStatement photos =
            c.prepareStatement("INSERT INTO photos VALUES (?, ?, ?, ?, ?)")) {
      long contactId = 1;
      long eventId = 1;
      for (long user = 1; user <= USERS; user++) {
        for (int i = 0; i < 8; i++) {
          String first = FIRST.get(rnd.nextInt(FIRST.size()));
          String last = LAST.get(rnd.nextInt(LAST.size()));
          contacts.setLong(1, contactId++);
          contacts.setLong(2, user);
          contacts.setString(3, first + " " + last);
          contacts.setString(
              4,
              i == 7 ? null : (first + "." + last).toLowerCase().replace("'", "") + "@example.com");
          contacts.setString(5, "+1 555 " + (1000 + rnd.nextInt(9000)));
          contacts.setTimestamp(6, ts(rnd.nextInt(1_000_000)));
          contacts.addBatch();
        }
        for (int i = 0; i < 4; i++) {
          int start = rnd.nextInt(500_000);
          events.setLong(1, eventId++);
          events.setLong(2, user);
          events.setString(3, List.of("Dentist", "Standup", "Birthday", "Flight").get(i));
          events.setTimestamp(4, ts(start));
          events.setTimestamp(5, ts(start + 3600));
          events.setString(6, i == 2 ? null : "Room " + rnd.nextInt(40));
          events.addBatch();
        }
        for (int i = 1; i <= 5; i++) {
          todos.setLong(1, user);
          todos.setInt(2, i);
          todos.setString(3, "to-do #" + i);
          todos.setBoolean(4, rnd.nextBoolean());
          todos.addBatch();
        }
        for (int i = 0; i < 3; i++) {
          photos.setObject(1, UUID.nameUUIDFromBytes(("photo-" + user + "-" + i).getBytes()));
          photos.setLong(2, user);
          photos.setString(3, "IMG_" + (1000 + i) + ".JPG");
          photos.setLong(4, 200_000 + rnd.nextInt(3_000_000));
          photos.setTimestamp(5, ts(rnd.nextInt(2_000_000)));
          photos.addBatch();
        }
        if (user % 500 == 0) {
          contacts.executeBatch();
          events.executeBatch();
          todos.executeBatch();
          photos.executeBatch();
        }
      }
      contacts.executeBatch();
      events.executeBatch();
      todos.executeBatch();
      photos.executeBatch();
    }
    c.commit();
    c.setAutoCommit(true);
  }

  private static Timestamp ts(long seconds) {
    return Timestamp.valueOf(EPOCH.minusSeconds(seconds).plusNanos((seconds % 1000) * 1000));
  }

  /**
   * The replica silently stopped applying some writes and took a few bad ones: contacts lost and
   * changed, a to-do flipped, photos gone, a stray calendar event.
   */
  static void breakReplica(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("DELETE FROM contacts WHERE id IN (8, 9, 10, 4711, 9001, 15000)");
      s.execute("UPDATE contacts SET email = 'bounce@example.invalid' WHERE id IN (77, 1234)");
      s.execute("UPDATE todos SET done = NOT done WHERE user_id = 42 AND position = 3");
      s.execute("DELETE FROM photos WHERE user_id IN (7, 1999)");
      s.execute(
          "INSERT INTO calendar_events VALUES (999999, 12, 'Ghost meeting',"
              + " TIMESTAMP '2009-10-01 10:00:00', TIMESTAMP '2009-10-01 11:00:00', NULL)");
    }
  }

  /** The restored backup lacks some of the same rows: those users have no copy left. */
  static void breakBackup(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("DELETE FROM contacts WHERE id IN (8, 9, 4711, 20000)");
      s.execute("DELETE FROM photos WHERE user_id = 1999");
      s.execute("UPDATE contacts SET email = 'old@example.com' WHERE id = 77");
    }
  }
}
