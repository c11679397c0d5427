package cn.tianfu.databus.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

import cn.tianfu.databus.broker.BrokerConfig;
import cn.tianfu.databus.cdc.CdcConfig;
import cn.tianfu.databus.cdc.connect.ResourceMappingTransform;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.deadlines.app.DeadlinesConfig;
import cn.tianfu.databus.governance.app.GovernanceConfig;
import cn.tianfu.databus.registry.server.RegistryServerConfig;
import cn.tianfu.databus.serde.AvroSerdeConfig;
import cn.tianfu.databus.sharing.app.RouterConfig;

/**
 * The configuration tables of the docs, generated from each component's {@link ConfigDef}: a table sits in a
 * {@code docs/*.md} page between {@code <!-- config-table: NAME -->} and {@code <!-- /config-table -->}, NAME being
 * one of {@link #CONFIGS}. {@code ConfigDocsTest} fails when a table differs from its {@code ConfigDef}; it rewrites the
 * tables when run with {@code -Dconfigdocs.write=true} (docs/architecture.md says how), as does {@link #main}.
 */
public final class ConfigDocs {

    /** Every documented configuration, by the name its marker uses. */
    public static final Map<String, Supplier<ConfigDef>> CONFIGS = configs();

    /** {@code <!-- config-table: NAME -->}, anything, {@code <!-- /config-table -->}. */
    private static final Pattern TABLE = Pattern.compile(
            "(<!-- config-table: ([A-Za-z0-9_.]+) -->\\n)(.*?)(<!-- /config-table -->)", Pattern.DOTALL);

    private ConfigDocs() {
    }

    private static Map<String, Supplier<ConfigDef>> configs() {
        Map<String, Supplier<ConfigDef>> m = new LinkedHashMap<>();
        m.put("DatabusClientConfig", DatabusClientConfig::configDef);
        m.put("AvroSerdeConfig", AvroSerdeConfig::configDef);
        m.put("GovernanceConfig", GovernanceConfig::configDef);
        m.put("RouterConfig", RouterConfig::configDef);
        m.put("DeadlinesConfig", DeadlinesConfig::configDef);
        m.put("QualityConfig", cn.tianfu.databus.quality.app.QualityConfig::configDef);
        m.put("CdcConfig", CdcConfig::configDef);
        m.put("ResourceMappingTransform", () -> {
            try (ResourceMappingTransform<?> t = new ResourceMappingTransform<>()) {
                return t.config();
            }
        });
        m.put("RegistryServerConfig", RegistryServerConfig::configDef);
        m.put("BrokerConfig", BrokerConfig::configDef);
        m.put("ServerConfig", ServerConfig::configDef);
        m.put("DrConfig", cn.tianfu.databus.dr.DrConfig::configDef);
        m.put("TierConfig", cn.tianfu.databus.tiers.TierConfig::configDef);
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * {@code def} as a Markdown table: key, type, default, valid values, importance, description; the required keys
     * first, then by importance and name (the order of Kafka's own config docs).
     */
    public static String table(ConfigDef def) {
        StringBuilder b = new StringBuilder();
        b.append("| key | type | default | valid values | importance | description |\n");
        b.append("|---|---|---|---|---|---|\n");
        List<ConfigDef.ConfigKey> keys = new ArrayList<>(def.configKeys().values());
        keys.sort(Comparator.comparing((ConfigDef.ConfigKey k) -> k.hasDefault())
                .thenComparing(k -> k.importance)
                .thenComparing(k -> k.name));
        for (ConfigDef.ConfigKey k : keys) {
            b.append("| `").append(k.name).append("` | ")
                    .append(k.type.name().toLowerCase(java.util.Locale.ROOT)).append(" | ")
                    .append(defaultValue(k)).append(" | ")
                    .append(validValues(k)).append(" | ")
                    .append(k.importance.name().toLowerCase(java.util.Locale.ROOT)).append(" | ")
                    .append(cell(k.documentation)).append(" |\n");
        }
        return b.toString();
    }

    private static String defaultValue(ConfigDef.ConfigKey k) {
        if (!k.hasDefault()) {
            return "required";
        }
        Object v = k.defaultValue;
        if (v == null) {
            return "none";
        }
        String text = v instanceof Password p ? p.value() : ConfigDef.convertToString(v, k.type);
        return text.isEmpty() ? "`\"\"`" : "`" + cell(text) + "`";
    }

    /** The validator's own description; nothing for one that has none (a lambda's name says nothing). */
    private static String validValues(ConfigDef.ConfigKey k) {
        if (k.validator == null) {
            return "";
        }
        try {
            if (k.validator.getClass().getMethod("toString").getDeclaringClass() == Object.class) {
                return "";
            }
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
        return cell(k.validator.toString());
    }

    /** One table cell: one line, no column break, no HTML tag ({@code <code>x</code>}, as Kafka's docs write it, as {@code `x`}). */
    private static String cell(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s*\\n\\s*", " ").replaceAll("<code>(.*?)</code>", "`$1`")
                .replace("|", "\\|").replace("<", "&lt;");
    }

    /**
     * {@code markdown} with every marked table rendered from its {@code ConfigDef}.
     *
     * @throws IllegalArgumentException when a marker names no known configuration
     */
    public static String render(String markdown) {
        Matcher m = TABLE.matcher(markdown);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Supplier<ConfigDef> def = CONFIGS.get(m.group(2));
            if (def == null) {
                throw new IllegalArgumentException("no configuration '" + m.group(2) + "' to render; known: " + CONFIGS.keySet());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + table(def.get()) + m.group(4)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The configurations the marked tables of {@code markdown} name, in order. */
    public static List<String> tablesIn(String markdown) {
        List<String> names = new ArrayList<>();
        Matcher m = TABLE.matcher(markdown);
        while (m.find()) {
            names.add(m.group(2));
        }
        return names;
    }

    /** The Markdown pages of {@code docsDir} whose tables differ from their {@code ConfigDef}s (rewritten if {@code write}). */
    public static List<Path> check(Path docsDir, boolean write) {
        List<Path> stale = new ArrayList<>();
        try (Stream<Path> pages = Files.list(docsDir)) {
            for (Path page : pages.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                String text = Files.readString(page, StandardCharsets.UTF_8);
                String rendered = render(text);
                if (!rendered.equals(text)) {
                    stale.add(page);
                    if (write) {
                        Files.writeString(page, rendered, StandardCharsets.UTF_8);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return stale;
    }

    /** Rewrites the tables of the docs directory given (default {@code docs}) and names the pages it changed. */
    public static void main(String[] args) {
        Path docs = Path.of(args.length > 0 ? args[0] : "docs");
        for (Path page : check(docs, true)) {
            System.out.println("rewrote " + page);
        }
    }
}
