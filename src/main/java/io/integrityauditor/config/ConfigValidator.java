package io.integrityauditor.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks what annotations cannot: references between sections. Each problem names its field by
 * path, e.g. {@code datasets.users.replicas[0]: unknown endpoint 'users-replica-9'}.
 */
public final class ConfigValidator {
  private ConfigValidator() {}

  public static List<String> problems(
      Map<String, EndpointConfig> endpoints, Map<String, DatasetConfig> datasets) {
    List<String> out = new ArrayList<>();
    if (datasets.isEmpty()) {
      out.add("datasets: no dataset configured");
    }
    for (var e : endpoints.entrySet()) {
      String url = e.getValue().url();
      if (url != null && !url.startsWith("jdbc:")) {
        out.add("endpoints." + e.getKey() + ".url: must be a JDBC URL (jdbc:...)");
      }
    }
    for (var d : datasets.entrySet()) {
      String p = "datasets." + d.getKey();
      DatasetConfig ds = d.getValue();
      Set<String> used = new HashSet<>();
      if (ds.primary() != null) {
        known(endpoints, ds.primary(), p + ".primary", out);
        used.add(ds.primary());
      }
      for (int i = 0; i < ds.replicas().size(); i++) {
        String r = ds.replicas().get(i);
        known(endpoints, r, p + ".replicas[" + i + "]", out);
        if (!used.add(r)) {
          out.add(p + ".replicas[" + i + "]: endpoint '" + r + "' is used twice in this dataset");
        }
      }
      for (int i = 0; i < ds.backups().size(); i++) {
        String b = ds.backups().get(i).endpoint();
        if (b == null) {
          continue;
        }
        known(endpoints, b, p + ".backups[" + i + "].endpoint", out);
        if (!used.add(b)) {
          out.add(
              p
                  + ".backups["
                  + i
                  + "].endpoint: endpoint '"
                  + b
                  + "' is used twice in this dataset");
        }
      }
      if (ds.replicas().isEmpty() && ds.backups().isEmpty()) {
        out.add(p + ": no replicas and no backups: there is nothing to compare the primary with");
      }
      Set<String> tables = new HashSet<>();
      for (int i = 0; i < ds.tables().size(); i++) {
        String t = ds.tables().get(i).name();
        if (t != null && !tables.add(t)) {
          out.add(p + ".tables[" + i + "].name: table '" + t + "' is listed twice");
        }
      }
    }
    return out;
  }

  /** Problems only the service cares about: schedules and their time zone. */
  public static List<String> serviceProblems(
      Map<String, DatasetConfig> datasets, ServiceSettings service) {
    List<String> out = new ArrayList<>();
    try {
      java.time.ZoneId.of(service.getTimeZone());
    } catch (java.time.DateTimeException e) {
      out.add("service.timeZone: unknown time zone '" + service.getTimeZone() + "'");
    }
    for (var d : datasets.entrySet()) {
      String cron = d.getValue().schedule();
      if (cron != null && !cron.isBlank()) {
        try {
          org.quartz.CronExpression.validateExpression(cron);
        } catch (java.text.ParseException e) {
          out.add(
              "datasets."
                  + d.getKey()
                  + ".schedule: not a Quartz cron expression ('"
                  + cron
                  + "'): "
                  + e.getMessage());
        }
      }
    }
    return out;
  }

  private static void known(
      Map<String, EndpointConfig> endpoints, String name, String field, List<String> out) {
    if (!endpoints.containsKey(name)) {
      out.add(
          field
              + ": unknown endpoint '"
              + name
              + "' (known: "
              + String.join(", ", endpoints.keySet())
              + ")");
    }
  }
}
