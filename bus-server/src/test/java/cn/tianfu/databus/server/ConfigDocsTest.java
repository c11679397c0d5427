package cn.tianfu.databus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.junit.jupiter.api.Test;

/**
 * The configuration tables of {@code docs/*.md} are what {@link ConfigDocs} renders from each {@code ConfigDef}.
 * Run with {@code -Dconfigdocs.write=true} to rewrite the tables instead of failing (see docs/architecture.md).
 */
class ConfigDocsTest {

    static final String REGENERATE = "mvn -o -q -pl bus-server -am verify -DskipITs -Dtest=ConfigDocsTest"
            + " -Dsurefire.failIfNoSpecifiedTests=false -Dconfigdocs.write=true";

    @Test
    void every_table_in_the_docs_is_its_config_def() {
        boolean write = Boolean.getBoolean("configdocs.write");
        List<Path> stale = ConfigDocs.check(docs(), write);
        if (write) {
            stale.forEach(p -> System.out.println("ConfigDocs: rewrote the config tables of " + p));
            return;
        }
        assertThat(stale).as("config tables that differ from their ConfigDef; regenerate them with%n  %s%n", REGENERATE)
                .isEmpty();
    }

    @Test
    void every_configuration_has_a_table_in_the_docs() throws IOException {
        Set<String> documented = new TreeSet<>();
        try (Stream<Path> pages = Files.list(docs())) {
            for (Path page : pages.filter(p -> p.toString().endsWith(".md")).toList()) {
                documented.addAll(ConfigDocs.tablesIn(Files.readString(page, StandardCharsets.UTF_8)));
            }
        }
        assertThat(documented).containsAll(ConfigDocs.CONFIGS.keySet());
    }

    @Test
    void a_table_lists_required_keys_first_then_by_importance_and_name() {
        ConfigDef def = new ConfigDef()
                .define("b.port", Type.INT, 8080, ConfigDef.Range.between(0, 65535), Importance.HIGH, "Port; 0 picks one.")
                .define("a.low", Type.STRING, "", Importance.LOW, "Low | piped\n  over two lines, <dir>/x.")
                .define("z.required", Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Importance.MEDIUM, "Required.")
                .define("c.mode", Type.STRING, "on", ConfigDef.ValidString.in("on", "off"), Importance.HIGH, "Mode.")
                .define("d.secret", Type.PASSWORD, null, (name, value) -> { }, Importance.MEDIUM, "Secret.")
                .define("e.list", Type.LIST, List.of("x", "y"), Importance.LOW, "List of <code>a.b</code>.");
        assertThat(ConfigDocs.table(def).lines().toList()).containsExactly(
                "| key | type | default | valid values | importance | description |",
                "|---|---|---|---|---|---|",
                "| `z.required` | list | required |  | medium | Required. |",
                "| `b.port` | int | `8080` | [0,...,65535] | high | Port; 0 picks one. |",
                "| `c.mode` | string | `on` | [on, off] | high | Mode. |",
                "| `d.secret` | password | none |  | medium | Secret. |",
                "| `a.low` | string | `\"\"` |  | low | Low \\| piped over two lines, &lt;dir>/x. |",
                "| `e.list` | list | `x,y` |  | low | List of `a.b`. |");
    }

    @Test
    void render_replaces_only_what_is_between_the_markers() {
        String page = "# Router\n\nText before.\n\n<!-- config-table: RouterConfig -->\n| old | table |\n<!-- /config-table -->\n\nText after.\n";
        String rendered = ConfigDocs.render(page);
        assertThat(rendered).startsWith("# Router\n\nText before.\n\n<!-- config-table: RouterConfig -->\n| key | type |")
                .contains("| `router.backfill.chunk.records` | int | `2000` |")
                .endsWith("|\n<!-- /config-table -->\n\nText after.\n")
                .doesNotContain("| old | table |");
        assertThat(ConfigDocs.render(rendered)).isEqualTo(rendered);
        assertThat(ConfigDocs.tablesIn(page)).containsExactly("RouterConfig");
    }

    @Test
    void a_marker_naming_no_configuration_is_an_error() {
        assertThatThrownBy(() -> ConfigDocs.render("<!-- config-table: NoSuchConfig -->\n<!-- /config-table -->"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NoSuchConfig");
    }

    /** The project's docs directory, found from the module's directory the tests run in. */
    static Path docs() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docs").resolve("architecture.md"))) {
                return dir.resolve("docs");
            }
        }
        throw new IllegalStateException("no docs/architecture.md above " + Path.of("").toAbsolutePath());
    }
}
