package dev.loyalty.bench.load;

import java.util.ArrayList;
import java.util.List;

/** A parsed Prometheus text exposition: enough to sum, min and max a metric over its label sets. */
final class PromText {

    private record Sample(String name, String labels, double value) {
    }

    private final List<Sample> samples = new ArrayList<>();

    PromText(String text) {
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            String series = line.substring(0, space);
            int brace = series.indexOf('{');
            String name = brace < 0 ? series.trim() : series.substring(0, brace);
            String labels = brace < 0 ? "" : series.substring(brace);
            try {
                samples.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1).trim())));
            } catch (NumberFormatException ignored) {
                // not a sample line
            }
        }
    }

    /** Sum over every series of that name whose labels contain {@code labelPart} (empty: all); NaN if none. */
    double sum(String name, String labelPart) {
        double sum = 0;
        boolean any = false;
        for (Sample s : samples) {
            if (s.name.equals(name) && s.labels.contains(labelPart)) {
                sum += s.value;
                any = true;
            }
        }
        return any ? sum : Double.NaN;
    }

    double sum(String name) {
        return sum(name, "");
    }

    /** The largest value of the series, NaN when none has one (NaN samples, e.g. partitions served elsewhere, are skipped). */
    double max(String name) {
        double max = Double.NaN;
        for (Sample s : samples) {
            if (s.name.equals(name) && !Double.isNaN(s.value) && !(s.value <= max)) {
                max = s.value;
            }
        }
        return max;
    }

    /** The smallest value of the series, NaN when none has one (NaN samples skipped). */
    double min(String name) {
        double min = Double.NaN;
        for (Sample s : samples) {
            if (s.name.equals(name) && !Double.isNaN(s.value) && !(s.value >= min)) {
                min = s.value;
            }
        }
        return min;
    }
}
