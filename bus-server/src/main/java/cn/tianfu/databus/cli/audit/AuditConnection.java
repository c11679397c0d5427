package cn.tianfu.databus.cli.audit;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.audit.AuditReader;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.ledger.PublicKeys;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.server.ClientFiles;
import cn.tianfu.databus.contract.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How an audit command reaches the log: {@code --data-dir DIR} of a bus on this machine (endpoints from
 * {@code DIR/bus.properties}, keys under {@code DIR/keys}) or {@code --config FILE} (client properties).
 */
public final class AuditConnection {

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data directory of a bus on this machine: its endpoints, its published key (keys/exchange-log.pub.pem)"
                    + " and, for trace, the key-hash secret (keys/key-hash.secret).")
    Path dataDir;

    @Option(names = "--config", paramLabel = "FILE",
            description = "An auditor's client config ('databus auditor add' writes it): bootstrap.servers,"
                    + " schema.registry.url, credentials.")
    Path config;

    @Option(names = "--log-topic", hidden = true, defaultValue = Topics.EXCHANGE_LOG)
    String logTopic;

    @Option(names = "--checkpoint-topic", hidden = true, defaultValue = Topics.EXCHANGE_LOG_CHECKPOINTS)
    String checkpointTopic;

    /** A reader on the configured bus; {@code publicKey} may be null for commands that do not verify. */
    AuditReader reader(PublicKey publicKey) {
        Map<String, Object> kafka = new HashMap<>();
        SchemaRegistryClient registry;
        if (config != null) {
            return reader(config, publicKey);
        } else if (dataDir != null) {
            // on the bus machine, the bus's own principal; elsewhere an auditor's client config (--config)
            DatabusClientConfig bus = ClientFiles.bus(dataDir);
            kafka.putAll(bus.kafkaProperties());
            registry = AvroSerdeConfig.fromMap(bus.serdeConfig()).registryClient();
        } else {
            throw new DatabusException("say where the bus is: --data-dir DIR (a bus on this machine) or --config FILE");
        }
        AuditReader.Builder b = AuditReader.builder(kafka).registry(registry).logTopic(logTopic)
                .checkpointTopic(checkpointTopic);
        if (publicKey != null) {
            b.publicKey(publicKey);
        }
        return b.build();
    }

    /**
     * A reader on the bus that the client properties {@code clientFile} name (an auditor's, or a bus principal's
     * {@code clients/bus.properties}); {@code publicKey} may be null for commands that do not verify.
     */
    AuditReader reader(Path clientFile, PublicKey publicKey) {
        DatabusClientConfig client = DatabusClientConfig.load(clientFile);
        AuditReader.Builder b = AuditReader.builder(new HashMap<>(client.kafkaProperties()))
                .registry(AvroSerdeConfig.fromMap(client.serdeConfig()).registryClient())
                .logTopic(logTopic).checkpointTopic(checkpointTopic);
        if (publicKey != null) {
            b.publicKey(publicKey);
        }
        return b.build();
    }

    /** The key given with {@code --public-key}, else the one the bus in {@code --data-dir} publishes; null if neither. */
    PublicKey publicKey(Path pemFile) {
        Path file = pemFile;
        if (file == null && dataDir != null) {
            file = SigningKeys.publicPemFile(dataDir);
        }
        if (file == null) {
            return null;
        }
        try {
            return PublicKeys.fromPem(Files.readString(file));
        } catch (IOException e) {
            throw new DatabusException("cannot read the public key " + file + ": " + e.getMessage()
                    + "; pass the bus's published exchange-log.pub.pem with --public-key");
        }
    }

    /** The bus's key hasher; never creates a secret (a new one would match nothing in the log). */
    KeyHasher keyHasher() {
        if (dataDir == null) {
            throw new DatabusException("trace and digest need the bus's key-hash secret: run them on the bus machine with --data-dir DIR");
        }
        Path secret = KeyHasher.secretFile(dataDir);
        if (!Files.exists(secret)) {
            throw new DatabusException("no key-hash secret at " + secret + ": --data-dir must be the bus's data directory");
        }
        return KeyHasher.loadOrCreate(dataDir);
    }
}
