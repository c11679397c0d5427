package cn.tianfu.databus.kafka;

import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;

/** The SASL login of a Kafka client, built once for the department clients and the bus's own apps. */
public final class SaslLogin {

    private SaslLogin() {
    }

    /**
     * Puts {@code security.protocol} and, for a {@code SASL_} protocol, {@code sasl.mechanism} and the JAAS config that
     * logs {@code username} in with {@code password} (SCRAM, or PLAIN when the mechanism says so).
     */
    public static void put(Map<String, Object> properties, String protocol, String mechanism, String username, Password password) {
        properties.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
        if (protocol.startsWith("SASL_")) {
            properties.put(SaslConfigs.SASL_MECHANISM, mechanism);
            properties.put(SaslConfigs.SASL_JAAS_CONFIG, jaas(mechanism, username, password.value()));
        }
    }

    /** The JAAS config line for {@code mechanism}, a {@link Password} so that it never shows in logs. */
    public static Password jaas(String mechanism, String username, String password) {
        String module = mechanism.equals("PLAIN")
                ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return new Password(module + " required username=\"" + escape(username) + "\" password=\"" + escape(password) + "\";");
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
