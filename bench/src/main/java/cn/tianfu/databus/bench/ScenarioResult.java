package cn.tianfu.databus.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one scenario (in one variant, e.g. 4 grants or 2,000 records/s) measured: one metric map per repetition, and
 * per metric the median, minimum and maximum over the repetitions. A scenario that could not be measured carries
 * the reason instead of runs.
 *
 * @param scenario    the scenario's name ({@code raw}, {@code bus}, ...)
 * @param variant     what distinguishes this variant, or empty
 * @param description one line saying what was measured
 * @param runs        the metrics of each repetition, in order
 * @param notMeasured why there are no runs, or null
 * @param pooled      metrics over all repetitions together (e.g. percentiles of the merged latency histogram), or empty
 */
public record ScenarioResult(String scenario, String variant, String description, List<Map<String, Double>> runs,
                             String notMeasured, Map<String, Double> pooled) {

    public ScenarioResult {
        runs = List.copyOf(runs);
        pooled = Map.copyOf(pooled);
    }

    /** This result with metrics over all repetitions together. */
    public ScenarioResult withPooled(Map<String, Double> metrics) {
        return new ScenarioResult(scenario, variant, description, runs, notMeasured, metrics);
    }

    /** A result with runs. */
    public static ScenarioResult of(String scenario, String variant, String description, List<Map<String, Double>> runs) {
        return new ScenarioResult(scenario, variant, description, runs, null, Map.of());
    }

    /** A scenario left out of this run, and why. */
    public static ScenarioResult notMeasured(String scenario, String description, String reason) {
        return notMeasured(scenario, "", description, reason);
    }

    /** A variant of a scenario left out of this run, and why. */
    public static ScenarioResult notMeasured(String scenario, String variant, String description, String reason) {
        return new ScenarioResult(scenario, variant, description, List.of(), reason, Map.of());
    }

    public boolean measured() {
        return notMeasured == null;
    }

    /** Every metric name of the runs, in first-seen order. */
    public Set<String> metrics() {
        Set<String> names = new LinkedHashSet<>();
        runs.forEach(r -> names.addAll(r.keySet()));
        return names;
    }

    /** The median of a metric over the runs (the lower middle one for an even count), NaN if absent. */
    public double median(String metric) {
        double[] v = values(metric);
        if (v.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(v);
        return v[(v.length - 1) / 2];
    }

    public double min(String metric) {
        return Arrays.stream(values(metric)).min().orElse(Double.NaN);
    }

    public double max(String metric) {
        return Arrays.stream(values(metric)).max().orElse(Double.NaN);
    }

    private double[] values(String metric) {
        List<Double> out = new ArrayList<>();
        for (Map<String, Double> r : runs) {
            Double d = r.get(metric);
            if (d != null && !d.isNaN()) {
                out.add(d);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Median, min and max of every metric, for the result file. */
    public Map<String, Map<String, Double>> summary() {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (String m : metrics()) {
            Map<String, Double> s = new LinkedHashMap<>();
            s.put("median", median(m));
            s.put("min", min(m));
            s.put("max", max(m));
            out.put(m, s);
        }
        return out;
    }
}
