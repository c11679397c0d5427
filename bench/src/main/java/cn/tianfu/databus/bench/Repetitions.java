package cn.tianfu.databus.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import cn.tianfu.databus.DatabusException;

/**
 * Runs one repetition, and once more on fresh topics if it fails (a stalled producer on an overloaded machine, say);
 * a repetition that needed the second attempt says so in its metrics ({@code retried = 1}).
 */
final class Repetitions {

    private Repetitions() {
    }

    static Map<String, Double> once(String scenario, Supplier<Map<String, Double>> repetition) {
        try {
            return repetition.get();
        } catch (DatabusException first) {
            System.err.println("  " + scenario + ": repetition failed (" + first.getMessage() + "); once more on fresh topics");
            Map<String, Double> m = new LinkedHashMap<>(repetition.get());
            m.put("retried", 1.0);
            return m;
        }
    }
}
