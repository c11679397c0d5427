package cn.tianfu.databus.cli.dr;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.dr.DrConfig;
import picocli.CommandLine.Command;

/** {@code databus dr}: disaster recovery by MirrorMaker 2 (start, status, promote, failback); docs/dr.md. */
@Command(name = "dr", mixinStandardHelpOptions = true,
        header = "Disaster recovery: replicate the bus to a disaster-recovery cluster with MirrorMaker 2, watch it, promote it.",
        subcommands = {DrStartCommand.class, DrStatusCommand.class, DrPromoteCommand.class, DrFailbackCommand.class})
public final class DrCommand {

    /** A Kafka client config file as a map of trimmed values. */
    static Map<String, Object> clientFile(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new DatabusException("cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<String, Object> m = new HashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
        if (String.valueOf(m.getOrDefault("bootstrap.servers", "")).isEmpty()) {
            throw new DatabusException(file + " has no bootstrap.servers");
        }
        return m;
    }

    /** The {@link DrConfig} of {@code file} (null: the defaults). */
    static DrConfig config(Path file) {
        if (file == null) {
            return new DrConfig(Map.of());
        }
        Map<String, Object> m = new HashMap<>();
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new DatabusException("cannot read " + file + ": " + e.getMessage(), e);
        }
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
        return new DrConfig(m);
    }
}
