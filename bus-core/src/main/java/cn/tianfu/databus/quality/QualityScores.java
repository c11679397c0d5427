package cn.tianfu.databus.quality;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import cn.tianfu.databus.schemas.UpdateFrequency;

/**
 * The scores of one resource, each from 0 to 1, or null where there is nothing to measure: completeness (present
 * catalogued items over expected ones), validity (values that pass their {@link ItemCheck} over values checked),
 * timeliness ({@link Timeliness}), availability (records that can be read over all current records) and the overall
 * score, the mean of the others that are not null. Rounded to three decimals, so an unchanged resource scores the same.
 *
 * <pre>{@code
 * QualityScores s = QualityScores.of(tally, UpdateFrequency.DAILY, lastChange, now);
 * thresholds.breaches(s); // e.g. ["validity 0.600 < 0.950"]
 * }</pre>
 */
public record QualityScores(Double completeness, Double validity, Double timeliness, Double availability,
                            Double overall) {

    /**
     * The scores of a resource with {@code tally} over its current records, last changed at {@code lastChange} (its
     * last record, else its publication), at {@code now}.
     */
    public static QualityScores of(QualityTally tally, UpdateFrequency frequency, Instant lastChange, Instant now) {
        Double completeness = ratio(tally.present(), tally.required());
        Double validity = ratio(tally.checked() - tally.invalid(), tally.checked());
        Double timeliness = Timeliness.score(frequency, lastChange, now).map(QualityScores::round).orElse(null);
        Double availability = ratio(tally.records(), tally.records() + tally.unreadable());
        List<Double> known = new ArrayList<>();
        for (Double d : new Double[] {completeness, validity, timeliness, availability}) {
            if (d != null) {
                known.add(d);
            }
        }
        Double overall = known.isEmpty() ? null : round(known.stream().mapToDouble(Double::doubleValue).average().orElseThrow());
        return new QualityScores(completeness, validity, timeliness, availability, overall);
    }

    /** The score named {@code dimension} ("completeness", "validity", "timeliness", "availability", "overall"). */
    public Optional<Double> get(String dimension) {
        return Optional.ofNullable(switch (dimension) {
            case "completeness" -> completeness;
            case "validity" -> validity;
            case "timeliness" -> timeliness;
            case "availability" -> availability;
            case "overall" -> overall;
            default -> throw new IllegalArgumentException("no quality dimension '" + dimension + "'");
        });
    }

    private static Double ratio(long part, long whole) {
        return whole <= 0 ? null : round((double) Math.max(0, part) / whole);
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
