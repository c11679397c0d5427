package cn.tianfu.databus.kafka;

import java.util.Optional;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import cn.tianfu.databus.contract.EventHeaders;

/** Reads the bus's {@link EventHeaders} off a Kafka record's headers. */
public final class KafkaHeaders {

    private KafkaHeaders() {
    }

    /** The last value of header {@code name} as UTF-8 text; empty when absent. */
    public static Optional<String> text(Headers headers, String name) {
        if (headers == null) {
            return Optional.empty();
        }
        Header h = headers.lastHeader(name);
        return h == null ? Optional.empty() : EventHeaders.text(h.value());
    }
}
