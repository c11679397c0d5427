package cn.tianfu.databus.server;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

import cn.tianfu.databus.DatabusException;

/**
 * Where a running embedded bus can be reached. {@code databus up} writes it to {@code <data-dir>/bus.properties}, so
 * client commands on the same machine ({@code --data-dir DIR --as DEPT}) find the bus without further options.
 */
public record BusEndpoints(String bootstrapServers, String registryUrl, String httpUrl, String caPem,
        String certificateBootstrapServers) {

    /** Endpoints without TLS. */
    public BusEndpoints(String bootstrapServers, String registryUrl, String httpUrl) {
        this(bootstrapServers, registryUrl, httpUrl, null, null);
    }

    /** Endpoints with TLS ({@code caPem} not null) and no certificate listener. */
    public BusEndpoints(String bootstrapServers, String registryUrl, String httpUrl, String caPem) {
        this(bootstrapServers, registryUrl, httpUrl, caPem, null);
    }

    /** The SSL listener where departments authenticate by client certificate, when the bus has one. */
    public java.util.Optional<String> certificateListener() {
        return java.util.Optional.ofNullable(certificateBootstrapServers).filter(s -> !s.isBlank());
    }

    /** Whether departments connect over TLS (SASL_SSL, HTTPS), trusting {@link #caPem()}. */
    public boolean tls() {
        return caPem != null;
    }

    public static final String FILE_NAME = "bus.properties";
    private static final String BOOTSTRAP = "bootstrap.servers";
    private static final String REGISTRY = "schema.registry.url";
    private static final String HTTP = "http.url";
    private static final String CA = "ssl.truststore.certificates";
    private static final String CERTIFICATE_BOOTSTRAP = "certificate.bootstrap.servers";

    public void write(Path dataDir) {
        Properties p = new Properties();
        p.setProperty(BOOTSTRAP, bootstrapServers);
        p.setProperty(REGISTRY, registryUrl);
        p.setProperty(HTTP, httpUrl);
        if (caPem != null) {
            p.setProperty(CA, caPem);
        }
        if (certificateBootstrapServers != null) {
            p.setProperty(CERTIFICATE_BOOTSTRAP, certificateBootstrapServers);
        }
        // written aside and moved in place, so a client never reads half a file
        Path file = dataDir.resolve(FILE_NAME);
        Path next = dataDir.resolve(FILE_NAME + ".new");
        try {
            try (Writer w = Files.newBufferedWriter(next, StandardCharsets.UTF_8)) {
                p.store(w, "Endpoints of the running bus; rewritten at each start");
            }
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new DatabusException("cannot write " + dataDir.resolve(FILE_NAME) + ": " + e.getMessage(), e);
        }
    }

    /** Reads the endpoints a bus on {@code dataDir} wrote when it started. */
    public static BusEndpoints read(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            throw new DatabusException("no running bus found in " + dataDir + " (missing " + FILE_NAME
                    + "): start one with 'databus up --data-dir " + dataDir + "'");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new DatabusException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return new BusEndpoints(p.getProperty(BOOTSTRAP), p.getProperty(REGISTRY), p.getProperty(HTTP), p.getProperty(CA),
                p.getProperty(CERTIFICATE_BOOTSTRAP));
    }
}
