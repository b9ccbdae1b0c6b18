package dev.loyalty.api.whatif;

import java.util.List;
import java.util.Locale;

/** Small inline SVG charts (no scripts, no outside resources): lines and grouped bars with axes and a legend. */
final class Svg {
    static final String[] COLORS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"};
    private static final int W = 720;
    private static final int H = 260;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 20;
    private static final int BOTTOM = 50;
    private static final int LEGEND_ROW = 18;

    private Svg() {
    }

    /** A named series of values, one per category. */
    record Series(String name, long[] values) {
    }

    /** One line per series over the categories (x), with a dot on every value. */
    static String lines(String title, List<String> categories, List<Series> series) {
        StringBuilder b = open(title, series);
        double[] range = range(series);
        int n = categories.size();
        double step = n > 1 ? (double) (W - LEFT - RIGHT) / (n - 1) : 0;
        axes(b, categories, range, i -> LEFT + (n > 1 ? i * step : (W - LEFT - RIGHT) / 2.0));
        for (int s = 0; s < series.size(); s++) {
            String color = COLORS[s % COLORS.length];
            StringBuilder points = new StringBuilder();
            long[] v = series.get(s).values();
            for (int i = 0; i < n; i++) {
                double x = LEFT + (n > 1 ? i * step : (W - LEFT - RIGHT) / 2.0);
                double y = y(v[i], range);
                points.append(fmt(x)).append(',').append(fmt(y)).append(' ');
                b.append("<circle class=\"mark\" cx=\"").append(fmt(x)).append("\" cy=\"").append(fmt(y))
                        .append("\" r=\"3.5\" fill=\"").append(color).append("\"><title>")
                        .append(Html.escape(series.get(s).name() + " " + categories.get(i) + ": " + v[i]))
                        .append("</title></circle>");
            }
            b.append("<polyline class=\"mark\" fill=\"none\" stroke-width=\"2\" stroke=\"").append(color)
                    .append(s == 1 ? "\" stroke-dasharray=\"6 3" : "").append("\" points=\"")
                    .append(points.toString().trim()).append("\"/>");
        }
        legend(b, series);
        return close(b);
    }

    /** Bars per category, one per series side by side. */
    static String bars(String title, List<String> categories, List<Series> series) {
        StringBuilder b = open(title, series);
        double[] range = range(series);
        int n = Math.max(categories.size(), 1);
        double slot = (double) (W - LEFT - RIGHT) / n;
        double bar = Math.max(1, slot * 0.8 / Math.max(series.size(), 1));
        axes(b, categories, range, i -> LEFT + slot * i + slot / 2);
        double zero = y(0, range);
        for (int i = 0; i < categories.size(); i++) {
            for (int s = 0; s < series.size(); s++) {
                long v = series.get(s).values()[i];
                double x = LEFT + slot * i + slot * 0.1 + bar * s;
                double y = y(v, range);
                double top = Math.min(y, zero);
                double height = Math.max(Math.abs(zero - y), 0.5);
                b.append("<rect class=\"mark\" x=\"").append(fmt(x)).append("\" y=\"").append(fmt(top))
                        .append("\" width=\"").append(fmt(bar)).append("\" height=\"").append(fmt(height))
                        .append("\" fill=\"").append(COLORS[s % COLORS.length]).append("\"><title>")
                        .append(Html.escape(series.get(s).name() + " " + categories.get(i) + ": " + v))
                        .append("</title></rect>");
            }
        }
        legend(b, series);
        return close(b);
    }

    private static StringBuilder open(String title, List<Series> series) {
        int height = H + LEGEND_ROW * (legendRows(series) - 1);
        StringBuilder b = new StringBuilder(4096);
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 ").append(W).append(' ')
                .append(height).append("\" width=\"").append(W).append("\" height=\"").append(height)
                .append("\" role=\"img\" aria-label=\"").append(Html.escape(title)).append("\">");
        return b;
    }

    private static String close(StringBuilder b) {
        return b.append("</svg>").toString();
    }

    /** x position of category i. */
    private interface X {
        double of(int i);
    }

    private static void axes(StringBuilder b, List<String> categories, double[] range, X x) {
        int bottom = H - BOTTOM;
        b.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"").append(LEFT)
                .append("\" y2=\"").append(bottom).append("\" stroke=\"#888\"/>");
        double zero = y(0, range);
        b.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(fmt(zero)).append("\" x2=\"").append(W - RIGHT)
                .append("\" y2=\"").append(fmt(zero)).append("\" stroke=\"#888\"/>");
        for (int t = 0; t <= 4; t++) {
            double v = range[0] + (range[1] - range[0]) * t / 4;
            double y = y(v, range);
            b.append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(fmt(y + 4))
                    .append("\" text-anchor=\"end\" font-size=\"11\">").append(Html.escape(compact(v))).append("</text>");
            b.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(fmt(y)).append("\" x2=\"").append(W - RIGHT)
                    .append("\" y2=\"").append(fmt(y)).append("\" stroke=\"#eee\"/>");
        }
        int every = Math.max(1, (categories.size() + 11) / 12);
        for (int i = 0; i < categories.size(); i += every) {
            b.append("<text x=\"").append(fmt(x.of(i))).append("\" y=\"").append(bottom + 16)
                    .append("\" text-anchor=\"middle\" font-size=\"11\">").append(Html.escape(categories.get(i)))
                    .append("</text>");
        }
    }

    /** Legend entries left to right, wrapping onto further rows below the chart. */
    private static void legend(StringBuilder b, List<Series> series) {
        int x = LEFT;
        int y = H - 18;
        for (int s = 0; s < series.size(); s++) {
            int width = legendWidth(series.get(s));
            if (x > LEFT && x + width > W - RIGHT) {
                x = LEFT;
                y += LEGEND_ROW;
            }
            b.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"12\" height=\"12\" fill=\"")
                    .append(COLORS[s % COLORS.length]).append("\"/>");
            b.append("<text x=\"").append(x + 16).append("\" y=\"").append(y + 10).append("\" font-size=\"12\">")
                    .append(Html.escape(series.get(s).name())).append("</text>");
            x += width;
        }
    }

    private static int legendRows(List<Series> series) {
        int rows = 1;
        int x = LEFT;
        for (Series s : series) {
            int width = legendWidth(s);
            if (x > LEFT && x + width > W - RIGHT) {
                x = LEFT;
                rows++;
            }
            x += width;
        }
        return rows;
    }

    /** Room for one legend entry: the swatch and about 7 px per character of a 12 px sans-serif. */
    private static int legendWidth(Series s) {
        return 28 + 7 * s.name().length();
    }

    /** [min, max] over all values, always including 0, never empty. */
    private static double[] range(List<Series> series) {
        double min = 0;
        double max = 0;
        for (Series s : series) {
            for (long v : s.values()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (max == min) {
            max = min + 1;
        }
        return new double[] {min, max + (max - min) * 0.05};
    }

    private static double y(double v, double[] range) {
        return TOP + (H - TOP - BOTTOM) * (1 - (v - range[0]) / (range[1] - range[0]));
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String compact(double v) {
        double a = Math.abs(v);
        if (a >= 1e9) {
            return String.format(Locale.ROOT, "%.1fG", v / 1e9);
        }
        if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.1fM", v / 1e6);
        }
        if (a >= 1e4) {
            return String.format(Locale.ROOT, "%.0fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }
}
