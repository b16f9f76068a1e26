package io.integrityauditor.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Small inline SVG charts for the weekly report: no script, no external reference, every value also
 * in a {@code <title>} (hover) and in the table the report prints next to each chart.
 */
final class SvgChart {
  static final String[] COLORS = {
    "#d1495b", "#00798c", "#edae49", "#30638e", "#66a182", "#8d6a9f", "#2e4057", "#c05746"
  };
  private static final int W = 640;
  private static final int H = 220;
  private static final int LEFT = 60;
  private static final int RIGHT = 16;
  private static final int TOP = 14;
  private static final int BOTTOM = 34;

  /** One line: a name and one value per x label, null where unknown. */
  record Series(String name, List<Double> values) {}

  /** A horizontal bar. */
  record Bar(String label, double value, String color) {}

  private SvgChart() {}

  static String color(int i) {
    return COLORS[i % COLORS.length];
  }

  /**
   * A line chart; {@code threshold} (nullable) is drawn dashed, e.g. a backup's maximum age.
   *
   * @param unit appended to values in hover titles
   */
  static String lines(
      String title, List<String> xLabels, List<Series> series, String unit, Double threshold) {
    double max = threshold == null ? 0 : threshold;
    for (Series s : series) {
      for (Double v : s.values()) {
        if (v != null) {
          max = Math.max(max, v);
        }
      }
    }
    double top = 4 * tickStep(max);
    int n = xLabels.size();
    double plotW = W - LEFT - RIGHT;
    double plotH = H - TOP - BOTTOM;
    StringBuilder b = new StringBuilder();
    b.append("<svg class=\"chart\" role=\"img\" viewBox=\"0 0 ")
        .append(W)
        .append(' ')
        .append(H)
        .append("\" width=\"")
        .append(W)
        .append("\" height=\"")
        .append(H)
        .append("\"><title>")
        .append(Html.esc(title))
        .append("</title>");
    // grid and y labels
    for (int i = 0; i <= 4; i++) {
      double v = top * i / 4;
      double y = TOP + plotH - plotH * i / 4;
      b.append(line(LEFT, y, W - RIGHT, y, "#e3e3e3", false));
      b.append(text(LEFT - 6, y + 4, "end", num(v)));
    }
    for (int i = 0; i < n; i++) {
      double x = x(i, n, plotW);
      b.append(text(x, H - BOTTOM + 18, "middle", xLabels.get(i)));
    }
    b.append(line(LEFT, TOP + plotH, W - RIGHT, TOP + plotH, "#888", false));
    if (threshold != null) {
      double y = TOP + plotH - plotH * threshold / top;
      b.append(line(LEFT, y, W - RIGHT, y, "#b00", true));
      b.append(text(W - RIGHT, y - 4, "end", "limit " + num(threshold) + unit));
    }
    for (int s = 0; s < series.size(); s++) {
      Series ser = series.get(s);
      String c = color(s);
      List<String> segment = new ArrayList<>();
      for (int i = 0; i <= n; i++) {
        Double v = i < n && i < ser.values().size() ? ser.values().get(i) : null;
        if (v == null) {
          if (segment.size() > 1) {
            b.append("<polyline fill=\"none\" stroke=\"")
                .append(c)
                .append("\" stroke-width=\"2\" points=\"")
                .append(String.join(" ", segment))
                .append("\"/>");
          }
          segment.clear();
          continue;
        }
        double x = x(i, n, plotW);
        double y = TOP + plotH - plotH * v / top;
        segment.add(fmt(x) + "," + fmt(y));
        b.append("<circle cx=\"")
            .append(fmt(x))
            .append("\" cy=\"")
            .append(fmt(y))
            .append("\" r=\"3.5\" fill=\"")
            .append(c)
            .append("\"><title>")
            .append(Html.esc(ser.name() + ", " + xLabels.get(i) + ": " + num(v) + unit))
            .append("</title></circle>");
      }
    }
    return b.append("</svg>").toString();
  }

  /** Horizontal bars on one scale, value printed at the end of each. */
  static String bars(String title, List<Bar> bars) {
    double max = 0;
    for (Bar bar : bars) {
      max = Math.max(max, bar.value());
    }
    double top = 4 * tickStep(max);
    int rowH = 26;
    int h = TOP + rowH * bars.size() + 8;
    int left = 130;
    double plotW = W - left - 70;
    StringBuilder b = new StringBuilder();
    b.append("<svg class=\"chart\" role=\"img\" viewBox=\"0 0 ")
        .append(W)
        .append(' ')
        .append(h)
        .append("\" width=\"")
        .append(W)
        .append("\" height=\"")
        .append(h)
        .append("\"><title>")
        .append(Html.esc(title))
        .append("</title>");
    for (int i = 0; i < bars.size(); i++) {
      Bar bar = bars.get(i);
      double y = TOP + i * rowH;
      double w = plotW * bar.value() / top;
      b.append(text(left - 8, y + 15, "end", bar.label()));
      b.append("<rect x=\"")
          .append(left)
          .append("\" y=\"")
          .append(fmt(y + 2))
          .append("\" width=\"")
          .append(fmt(Math.max(w, 0.5)))
          .append("\" height=\"18\" fill=\"")
          .append(bar.color())
          .append("\"><title>")
          .append(Html.esc(bar.label() + ": " + num(bar.value())))
          .append("</title></rect>");
      b.append(text(left + w + 6, y + 15, "start", num(bar.value())));
    }
    return b.append("</svg>").toString();
  }

  private static double x(int i, int n, double plotW) {
    return n <= 1 ? LEFT + plotW / 2 : LEFT + 12 + (plotW - 24) * i / (n - 1);
  }

  private static String line(double x1, double y1, double x2, double y2, String c, boolean dash) {
    return "<line x1=\""
        + fmt(x1)
        + "\" y1=\""
        + fmt(y1)
        + "\" x2=\""
        + fmt(x2)
        + "\" y2=\""
        + fmt(y2)
        + "\" stroke=\""
        + c
        + "\""
        + (dash ? " stroke-dasharray=\"6 4\"" : "")
        + "/>";
  }

  private static String text(double x, double y, String anchor, String s) {
    return "<text x=\""
        + fmt(x)
        + "\" y=\""
        + fmt(y)
        + "\" text-anchor=\""
        + anchor
        + "\" font-size=\"11\" fill=\"#444\">"
        + Html.esc(s)
        + "</text>";
  }

  /**
   * The step of four grid lines that reach at least max: 1, 2 or 5 times a power of ten (2.5 from
   * 25 up), never below 1, so counts get whole-number ticks.
   */
  static double tickStep(double max) {
    double raw = max / 4;
    if (raw <= 1) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m == 2.5 && p < 10) {
        continue;
      }
      if (m * p >= raw) {
        return m * p;
      }
    }
    return 10 * p;
  }

  static String num(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
