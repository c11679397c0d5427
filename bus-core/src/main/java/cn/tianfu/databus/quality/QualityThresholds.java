package cn.tianfu.databus.quality;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The least score of each dimension a resource must keep; below one, the provider supplies data that is inaccurate,
 * incomplete or out of date (Art. 46(二)). A dimension without a score (nothing to measure) is never below.
 *
 * <pre>{@code
 * new QualityThresholds(0.6, 0.9, 0.95, 0.5, 0.9).breaches(scores); // ["validity 0.600 < 0.950"]
 * }</pre>
 */
public record QualityThresholds(double overall, double completeness, double validity, double timeliness,
                                double availability) {

    /** The dimensions, in the order they are reported. */
    public static final List<String> DIMENSIONS = List.of("overall", "completeness", "validity", "timeliness", "availability");

    public QualityThresholds {
        for (Map.Entry<String, Double> e : asMap(overall, completeness, validity, timeliness, availability).entrySet()) {
            if (!(e.getValue() >= 0.0 && e.getValue() <= 1.0)) {
                throw new IllegalArgumentException("the " + e.getKey() + " threshold must be from 0 to 1, was " + e.getValue());
            }
        }
    }

    /** The threshold of {@code dimension}. */
    public double of(String dimension) {
        Double t = asMap(overall, completeness, validity, timeliness, availability).get(dimension);
        if (t == null) {
            throw new IllegalArgumentException("no quality dimension '" + dimension + "'");
        }
        return t;
    }

    /** Each dimension of {@code scores} below its threshold, in words ({@code "validity 0.600 < 0.950"}); empty if none. */
    public List<String> breaches(QualityScores scores) {
        List<String> out = new ArrayList<>();
        for (String d : DIMENSIONS) {
            Double s = scores.get(d).orElse(null);
            if (s != null && s < of(d)) {
                out.add(String.format(Locale.ROOT, "%s %.3f < %.3f", d, s, of(d)));
            }
        }
        return out;
    }

    private static Map<String, Double> asMap(double overall, double completeness, double validity, double timeliness,
                                             double availability) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("overall", overall);
        m.put("completeness", completeness);
        m.put("validity", validity);
        m.put("timeliness", timeliness);
        m.put("availability", availability);
        return m;
    }
}
