package io.integrityauditor.monitoring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of GET /metrics in the Prometheus text format, parsed into samples. */
record ScrapedMetrics(String text, List<Sample> samples, Set<String> declared) {
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+\\d+)?");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");
  private static final Pattern META =
      Pattern.compile("# (?:HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*)\\s.*");

  /** One sample line: metric name, labels in their order, value. */
  record Sample(String name, Map<String, String> labels, double value) {
    /** The sample as a series selector, e.g. {@code m{a="x",b="y"}}. */
    String series() {
      StringBuilder sb = new StringBuilder(name);
      if (!labels.isEmpty()) {
        sb.append('{');
        labels.forEach((k, v) -> sb.append(k).append("=\"").append(v).append("\","));
        sb.setLength(sb.length() - 1);
        sb.append('}');
      }
      return sb.toString();
    }
  }

  static ScrapedMetrics parse(String text) {
    List<Sample> samples = new ArrayList<>();
    Set<String> declared = new LinkedHashSet<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("#")) {
        Matcher m = META.matcher(line);
        if (m.matches()) {
          declared.add(m.group(1));
        }
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        throw new AssertionError("not a sample line of the Prometheus text format: " + line);
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        int end = 0;
        while (l.find() && l.start() == end) {
          labels.put(l.group(1), l.group(2));
          end = l.end();
        }
        if (end != m.group(2).length()) {
          throw new AssertionError("cannot parse the labels of: " + line);
        }
      }
      samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
    }
    return new ScrapedMetrics(text, List.copyOf(samples), Set.copyOf(declared));
  }

  /** Sample names plus names in HELP/TYPE lines. */
  Set<String> names() {
    Set<String> out = new LinkedHashSet<>(declared);
    samples.forEach(s -> out.add(s.name()));
    return out;
  }

  List<Sample> named(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  /** The samples whose names start with {@code prefix}. */
  List<Sample> withPrefix(String prefix) {
    return samples.stream().filter(s -> s.name().startsWith(prefix)).toList();
  }

  /** The value of the series with exactly these labels (name=value pairs), if exported. */
  Optional<Double> value(String name, String... labels) {
    Map<String, String> want = new LinkedHashMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      want.put(labels[i], labels[i + 1]);
    }
    return named(name).stream().filter(s -> s.labels().equals(want)).map(Sample::value).findFirst();
  }

  /** Series (name and labels) to value, for the samples with the prefix. */
  Map<String, Double> seriesWithPrefix(String prefix) {
    Map<String, Double> out = new LinkedHashMap<>();
    withPrefix(prefix).forEach(s -> out.put(s.series(), s.value()));
    return out;
  }
}
