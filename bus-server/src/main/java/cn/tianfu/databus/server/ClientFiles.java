package cn.tianfu.databus.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.broker.BusCredentials;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.schemas.Department;
import cn.tianfu.databus.security.SecretFiles;

/**
 * The client configs of a bus's principals under {@code <data-dir>/clients/}: {@code bus.properties} (the bus itself,
 * written at each start) and one {@code <dept>.properties} per department the bus runs itself (the authority's, and the
 * demo's sample departments). A department added with {@code databus dept add} is not kept here: its client config is
 * handed over once ({@link #handover}) and the bus keeps only verifiers of its password. Each file is mode 600 and
 * complete: a client command takes it with {@code --config FILE}.
 */
public final class ClientFiles {

    private ClientFiles() {
    }

    /** {@code <dataDir>/clients/<principal>.properties}. */
    public static Path file(Path dataDir, String principal) {
        return dataDir.resolve(BusCredentials.CLIENTS_DIR).resolve(principal + ".properties");
    }

    /**
     * The bus principal's client config of the bus in {@code dataDir}.
     *
     * @throws DatabusException when the bus never started there
     */
    public static DatabusClientConfig bus(Path dataDir) {
        Path file = BusCredentials.file(dataDir);
        if (!Files.exists(file) || !SecretFiles.read(file).containsKey(DatabusClientConfig.SCHEMA_REGISTRY_URL_CONFIG)) {
            throw new DatabusException("no running bus found in " + dataDir + " (no bus credentials in " + file
                    + "): start one with 'databus up --data-dir " + dataDir + "'");
        }
        return DatabusClientConfig.load(file);
    }

    /**
     * The client config of {@code principal} (a department id, or {@code auditor-<id>}) on the bus in {@code dataDir}.
     *
     * @throws DatabusException when it was never written
     */
    public static DatabusClientConfig load(Path dataDir, String principal) {
        Path file = file(dataDir, principal);
        if (!Files.exists(file)) {
            throw new DatabusException("no client config for '" + principal + "' in " + file.getParent()
                    + ": the bus keeps only its own departments' (the authority's, the demo's); give the client config"
                    + " 'databus dept add " + principal + " --out FILE' handed over with --config FILE");
        }
        return DatabusClientConfig.load(file);
    }

    /**
     * Points every client config under {@code <dataDir>/clients/} at {@code endpoints} (ports may change between starts),
     * keeping credentials and everything else.
     */
    public static void refreshEndpoints(Path dataDir, BusEndpoints endpoints) {
        Path dir = dataDir.resolve(BusCredentials.CLIENTS_DIR);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            // the bus's own file keeps its (loopback) endpoints: the runtime writes it
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".properties"))
                    .filter(f -> !f.getFileName().toString().equals(BusCredentials.FILE_NAME)).toList()) {
                java.util.Properties p = SecretFiles.read(f);
                p.setProperty(DatabusClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.bootstrapServers());
                p.setProperty(DatabusClientConfig.SCHEMA_REGISTRY_URL_CONFIG, endpoints.registryUrl());
                p.setProperty(DatabusClientConfig.HTTP_URL_CONFIG, endpoints.httpUrl());
                if (endpoints.tls()) {
                    p.setProperty(DatabusClientConfig.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
                    p.setProperty(DatabusClientConfig.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
                    p.setProperty(DatabusClientConfig.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, endpoints.caPem().strip());
                } else if (p.containsKey(DatabusClientConfig.SSL_TRUSTSTORE_CERTIFICATES_CONFIG)) {
                    p.setProperty(DatabusClientConfig.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
                    p.remove(DatabusClientConfig.SSL_TRUSTSTORE_TYPE_CONFIG);
                    p.remove(DatabusClientConfig.SSL_TRUSTSTORE_CERTIFICATES_CONFIG);
                }
                SecretFiles.write(f, p, "Client config of " + f.getFileName().toString().replace(".properties", "")
                        + " (use with --config). Holds its password: keep it secret.");
            }
        } catch (java.io.IOException e) {
            throw new DatabusException("cannot update the client configs in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Writes the client config of a principal just created or given a new password; returns the file. */
    public static Path write(Path dataDir, BusEndpoints endpoints, String departmentId, Departments.NewPrincipal<?> principal) {
        return handover(file(dataDir, principal.principal()), endpoints, departmentId, principal);
    }

    /**
     * Writes the client config of a principal just created or given a new password to {@code file} (mode 600), wherever
     * the operator hands it over from; returns the file.
     */
    public static Path handover(Path file, BusEndpoints endpoints, String departmentId, Departments.NewPrincipal<?> principal) {
        return SecretFiles.write(file, properties(endpoints, departmentId, principal), comment(principal));
    }

    /** The client config of a principal just created or given a new password, as the text of a properties file. */
    public static String text(BusEndpoints endpoints, String departmentId, Departments.NewPrincipal<?> principal) {
        java.io.StringWriter w = new java.io.StringWriter();
        try {
            properties(endpoints, departmentId, principal).store(w, comment(principal));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return w.toString();
    }

    /**
     * Issues {@code departmentId}'s client certificate with {@code authority} (subject
     * {@code CN=<dept>,OU=departments,O=Tianfu Data Exchange Bus}), writes it with its key and the CA to the PKCS#12
     * store {@code keystore} (mode 600, a new random password) and the client config that uses it to {@code file}
     * (mode 600): {@code SSL} to the broker's certificate listener, no SASL password.
     *
     * @throws DatabusException when the bus has no certificate listener (TLS off)
     */
    public static Path certificateHandover(Path file, Path keystore, BusEndpoints endpoints, String departmentId,
            cn.tianfu.databus.tls.Certificates.Issued authority, java.time.Instant now, java.time.Duration validity) {
        String bootstrap = endpoints.certificateListener().orElseThrow(() -> new DatabusException("the bus has no listener for"
                + " client certificates: it runs with TLS off, or on a cluster without "
                + ServerConfig.KAFKA_CERTIFICATE_BOOTSTRAP_SERVERS_CONFIG));
        var issued = cn.tianfu.databus.tls.Certificates.departmentCertificate(authority, departmentId, now, validity);
        String password = cn.tianfu.databus.security.Passwords.generate();
        byte[] store = cn.tianfu.databus.tls.Certificates.pkcs12(issued, java.util.List.of(authority.certificate()), departmentId,
                password.toCharArray());
        writePrivate(keystore, store);
        java.util.Properties p = DatabusClientConfig.certificateFileProperties(bootstrap, endpoints.registryUrl(), endpoints.httpUrl(),
                departmentId, endpoints.caPem(), keystore.toAbsolutePath().toString(), password);
        return SecretFiles.write(file, p, "Client config of " + departmentId + " by client certificate (use with --config)."
                + " Its key store " + keystore.getFileName() + " holds the private key: keep both secret.");
    }

    /** Writes {@code bytes} to {@code file} with mode 600 (aside, then moved in place). */
    private static void writePrivate(Path file, byte[] bytes) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path tmp;
            try {
                tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", java.nio.file.attribute.PosixFilePermissions
                        .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            }
            Files.write(tmp, bytes);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new DatabusException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static java.util.Properties properties(BusEndpoints endpoints, String departmentId, Departments.NewPrincipal<?> principal) {
        return DatabusClientConfig.fileProperties(endpoints.bootstrapServers(), endpoints.registryUrl(), endpoints.httpUrl(),
                departmentId, principal.principal(), principal.password(), endpoints.caPem());
    }

    private static String comment(Departments.NewPrincipal<?> principal) {
        return "Client config of " + principal.principal() + " (use with --config). Holds its password: keep it secret.";
    }

    /**
     * The department's client config, adding the department when the bus does not know it and giving it a new password
     * when its client file is gone. Used for the bus's own departments (the authority, the demo's).
     */
    public static DatabusClientConfig ensureDepartment(Departments departments, Path dataDir, BusEndpoints endpoints, String id,
            String name, Optional<String> code) {
        Optional<Department> existing = departments.find(id);
        if (existing.isEmpty()) {
            write(dataDir, endpoints, id, departments.add(id, name, code));
        } else if (!Files.exists(file(dataDir, id)) || existing.get().getPasswordVerifier() == null) {
            write(dataDir, endpoints, id, departments.rotatePassword(id));
        } else {
            // endpoints may have changed since the file was written (ports chosen at start)
            DatabusClientConfig current = DatabusClientConfig.load(file(dataDir, id));
            String password = current.basicAuthUserInfo().map(i -> i.substring(i.indexOf(':') + 1)).orElse(null);
            if (password != null) {
                write(dataDir, endpoints, id, new Departments.NewPrincipal<>(existing.get(), id, password));
            }
        }
        return DatabusClientConfig.load(file(dataDir, id));
    }
}
