package cn.tianfu.databus.quality.app.internal;

import cn.tianfu.databus.schemas.QualityScore;
import cn.tianfu.databus.schemas.Violation;

/** What the scorer publishes; the topology puts each kind on its topic. */
public sealed interface Evaluated {

    /** A resource's scores on {@code bus.quality} (key: resource code). */
    record Score(QualityScore score) implements Evaluated {
    }

    /** A violation under Art. 46(二) on {@code bus.violations} (key: violation id). */
    record Breach(Violation violation) implements Evaluated {
    }
}
