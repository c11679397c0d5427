package cn.tianfu.databus.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import cn.tianfu.databus.DatabusException;

/**
 * The outcome of a run: machine facts, settings, every scenario's results, the ratios between them and the targets.
 * Printed as a table; written as JSON to {@code bench/results/bench-<UTC time>.json}.
 *
 * @param startedAt  when the run started
 * @param finishedAt when it finished
 * @param machine    cores, JVM, heap, operating system and the load before and after the run
 * @param settings   the run's settings ({@link BenchConfig#describe()})
 * @param data       facts about the records sent (average size, fields)
 * @param results    every scenario variant, in the order run
 */
public record BenchReport(Instant startedAt, Instant finishedAt, Map<String, Object> machine,
                          Map<String, Object> settings, Map<String, Object> data, List<ScenarioResult> results) {

    /** A target the bus is measured against (a goal to report, not an assertion). */
    public record Target(String name, String goal, double actual, double threshold, boolean higherIsBetter) {
        /** Whether the median met the goal; false when the scenario was not measured. */
        public boolean met() {
            if (Double.isNaN(actual)) {
                return false;
            }
            return higherIsBetter ? actual >= threshold : actual <= threshold;
        }

        /** How far from the goal, in percent of the goal (negative: missed). */
        public double marginPercent() {
            return higherIsBetter ? (actual - threshold) / threshold * 100 : (threshold - actual) / threshold * 100;
        }
    }

    public Optional<ScenarioResult> result(String scenario, String variant) {
        return results.stream().filter(r -> r.scenario().equals(scenario)
                && (variant == null || r.variant().equals(variant))).findFirst();
    }

    private double median(String scenario, String variant, String metric) {
        return result(scenario, variant).filter(ScenarioResult::measured).map(r -> r.median(metric)).orElse(Double.NaN);
    }

    /** p99 of the merged histogram of a latency variant (the median of the repetitions' p99 if there is none). */
    private double pooledP99(String variant) {
        return result("latency", variant).filter(ScenarioResult::measured)
                .map(r -> r.pooled().getOrDefault("p99Ms", r.median("p99Ms"))).orElse(Double.NaN);
    }

    /** The databases the cdc scenario captures from, as its variants name them. */
    static final List<String> CDC_DATABASES = List.of("postgres", "mariadb");

    /** bus ÷ raw, bus ÷ bare engine and, per database, CDC ÷ bare Debezium engine, by median records/s. */
    public Map<String, Double> ratios() {
        Map<String, Double> out = new LinkedHashMap<>();
        double bus = median("bus", null, "recordsPerSec");
        out.put("busOverRaw", bus / median("raw", null, "recordsPerSec"));
        out.put("busOverBare", bus / median("bare", null, "recordsPerSec"));
        out.put("busOverBare2", bus / median("bare2", null, "recordsPerSec"));
        for (String db : CDC_DATABASES) {
            out.put("cdcOverBare[" + db + "]", median("cdc", db, "recordsPerSec") / median("cdc-bare", db, "recordsPerSec"));
            out.put("cdcRouterPausedOverBare[" + db + "]", median("cdc", db + CdcScenario.PAUSED, "recordsPerSec")
                    / median("cdc-bare", db, "recordsPerSec"));
            if (result("cdc", db + CdcScenario.PACED).filter(ScenarioResult::measured).isPresent()) {
                // paced: both keep the offered rate, so CPU per row is what tells them apart
                out.put("cdcPacedCpuOverBare[" + db + "]", median("cdc", db + CdcScenario.PACED, "cpuMicrosPerRow")
                        / median("cdc-bare", db + CdcScenario.PACED, "cpuMicrosPerRow"));
            }
        }
        double one = median("fanout", "1 grant", "cpuMicrosPerCopy");
        for (ScenarioResult r : results) {
            if (r.scenario().equals("fanout") && r.measured()) {
                out.put("fanoutCpuPerCopyRelativeTo1Grant[" + r.variant() + "]", r.median("cpuMicrosPerCopy") / one);
            }
        }
        if (result(ClusterScenario.NAME, null).isPresent()) {
            // the cluster scenario: nodes against raw Kafka on the same three brokers, and two nodes against one
            double clusterRaw = median(ClusterScenario.NAME, ClusterScenario.RAW, "recordsPerSec");
            double oneNode = median(ClusterScenario.NAME, ClusterScenario.ONE_NODE, "recordsPerSec");
            double twoNodes = median(ClusterScenario.NAME, ClusterScenario.TWO_NODES, "recordsPerSec");
            out.put("clusterOneNodeOverRaw", oneNode / clusterRaw);
            out.put("clusterTwoNodesOverRaw", twoNodes / clusterRaw);
            out.put("clusterTwoNodesOverOneNode", twoNodes / oneNode);
        }
        return out;
    }

    /** The targets, with the medians of this run. */
    public List<Target> targets() {
        Map<String, Double> ratios = ratios();
        List<Target> out = new ArrayList<>();
        out.add(new Target("bus / raw records/s", ">= 0.40", ratios.get("busOverRaw"), 0.40, true));
        out.add(new Target("bus / bare engine records/s", ">= 0.80", ratios.get("busOverBare"), 0.80, true));
        out.add(new Target("p99 latency at 2,000 records/s (ms)", "<= 250", pooledP99("2000 rec/s"), 250, false));
        double worstFanout = ratios.entrySet().stream().filter(e -> e.getKey().startsWith("fanout"))
                .mapToDouble(Map.Entry::getValue).max().orElse(Double.NaN);
        out.add(new Target("fan-out CPU per copy, worst / 1 grant", "<= 1.25 (linear)", worstFanout, 1.25, false));
        out.add(new Target("audit verify entries/s", ">= 200,000", median("audit", null, "entriesPerSec"), 200_000, true));
        for (String db : CDC_DATABASES) {
            out.add(new Target("cdc / bare Debezium engine rows/s (" + db + ")", ">= 0.80", ratios.get("cdcOverBare[" + db + "]"),
                    0.80, true));
        }
        return out;
    }

    /** The console table. */
    public String table() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-8s %-24s %-34s %-9s %s%n", "scenario", "variant",
                "rate, median [min - max]", "MB/s", "other (medians)"));
        for (ScenarioResult r : results) {
            if (!r.measured()) {
                b.append(String.format(Locale.ROOT, "%-8s %-24s not measured: %s%n", r.scenario(), r.variant(), r.notMeasured()));
                continue;
            }
            String rateMetric = switch (r.scenario()) {
                case "latency" -> "p99Ms";
                case "audit" -> "entriesPerSec";
                case "fanout" -> "deliveriesPerSec";
                default -> "recordsPerSec";
            };
            if (r.scenario().equals("fanout") && Double.isNaN(r.median(rateMetric))) {
                rateMetric = "recordsPerSec";
            }
            String unit = switch (rateMetric) {
                case "p99Ms" -> " ms p99";
                case "entriesPerSec" -> " entries/s";
                case "deliveriesPerSec" -> " dlv/s";
                default -> " rec/s";
            };
            String rate = fmt(r.median(rateMetric)) + unit + " [" + fmt(r.min(rateMetric)) + " - " + fmt(r.max(rateMetric)) + "]";
            String mb = r.metrics().contains("mbPerSec") ? fmt(r.median("mbPerSec")) : "";
            List<String> other = new ArrayList<>();
            for (String m : r.metrics()) {
                // per-component breakdowns ("metric[part]") are in the result file only
                if (!m.equals(rateMetric) && !m.equals("mbPerSec") && !m.equals("records") && !m.equals("entries")
                        && !m.contains("[")) {
                    other.add(m + " " + fmt(r.median(m)));
                }
            }
            r.pooled().forEach((k, v) -> other.add("pooled " + k + " " + fmt(v)));
            b.append(String.format(Locale.ROOT, "%-8s %-24s %-34s %-9s %s%n", r.scenario(), r.variant(), rate, mb,
                    String.join(", ", other)));
        }
        b.append(System.lineSeparator()).append("ratios: ");
        List<String> ratios = new ArrayList<>();
        ratios().forEach((k, v) -> ratios.add(k + " " + fmt(v)));
        b.append(String.join(", ", ratios)).append(System.lineSeparator()).append("targets:").append(System.lineSeparator());
        for (Target t : targets()) {
            b.append(String.format(Locale.ROOT, "  %-46s %-18s %-10s %s%n", t.name(), t.goal(), fmt(t.actual()),
                    Double.isNaN(t.actual()) ? "not measured" : t.met() ? "met" : String.format(Locale.ROOT,
                            "missed by %.0f%%", -t.marginPercent())));
        }
        b.append("load: ").append(machine.get("loadBefore")).append(" -> ").append(machine.get("loadAfter"))
                .append(System.lineSeparator());
        return b.toString();
    }

    /** The result file's content. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("startedAt", startedAt.toString());
        m.put("finishedAt", finishedAt.toString());
        m.put("machine", machine);
        m.put("settings", settings);
        m.put("data", data);
        List<Map<String, Object>> scenarios = new ArrayList<>();
        for (ScenarioResult r : results) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("scenario", r.scenario());
            s.put("variant", r.variant());
            s.put("description", r.description());
            if (r.measured()) {
                s.put("summary", r.summary());
                s.put("runs", r.runs());
                if (!r.pooled().isEmpty()) {
                    s.put("pooled", r.pooled());
                }
            } else {
                s.put("notMeasured", r.notMeasured());
            }
            scenarios.add(s);
        }
        m.put("scenarios", scenarios);
        m.put("ratios", finite(ratios()));
        List<Map<String, Object>> targets = new ArrayList<>();
        for (Target t : targets()) {
            Map<String, Object> tm = new LinkedHashMap<>();
            tm.put("name", t.name());
            tm.put("goal", t.goal());
            tm.put("actual", Double.isNaN(t.actual()) ? null : t.actual());
            tm.put("met", Double.isNaN(t.actual()) ? null : t.met());
            targets.add(tm);
        }
        m.put("targets", targets);
        return m;
    }

    /** Writes the JSON result file into {@code dir}; returns its path. */
    public Path write(Path dir) {
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(startedAt);
        Path file = dir.resolve("bench-" + stamp + ".json");
        try {
            Files.createDirectories(dir);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), toJson());
        } catch (IOException e) {
            throw new DatabusException("cannot write the result file " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    private static Map<String, Double> finite(Map<String, Double> in) {
        Map<String, Double> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(k, v == null || v.isNaN() || v.isInfinite() ? null : v));
        return out;
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (Math.abs(v) >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (Math.abs(v) >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
