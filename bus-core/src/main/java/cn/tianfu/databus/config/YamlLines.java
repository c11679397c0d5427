package cn.tianfu.databus.config;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Where each value of a YAML file stands, so a validator of a hand-written file (resource definitions, CDC mappings)
 * can report every problem with its line. Values are addressed by JSON pointer ({@code /items/2/mask}); a pointer
 * with no value of its own is placed at its nearest parent's line.
 */
public final class YamlLines {

    private static final YAMLFactory YAML = new YAMLFactory();

    private final Map<String, Integer> lines;

    private YamlLines(Map<String, Integer> lines) {
        this.lines = lines;
    }

    /** Reads the positions of every value of {@code yaml}. */
    public static YamlLines of(String yaml) throws IOException {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = YAML.createParser(yaml)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    continue;
                }
                lines.putIfAbsent(p.getParsingContext().pathAsPointer().toString(), p.currentTokenLocation().getLineNr());
            }
        }
        return new YamlLines(lines);
    }

    /** An empty index: every pointer is at line 0 (unknown), for text that could not be parsed. */
    public static YamlLines none() {
        return new YamlLines(Map.of());
    }

    /** The 1-based line of the value at {@code pointer}, or of its nearest parent; 0 when unknown. */
    public int line(String pointer) {
        String p = pointer;
        while (true) {
            Integer line = lines.get(p);
            if (line != null) {
                return line;
            }
            if (p.isEmpty()) {
                return 0;
            }
            p = p.substring(0, p.lastIndexOf('/'));
        }
    }

    /** {@code /items/2/mask} as {@code items[2].mask}, as a problem list shows it. */
    public static String display(String pointer) {
        StringBuilder sb = new StringBuilder();
        for (String part : pointer.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.chars().allMatch(Character::isDigit)) {
                sb.append('[').append(part).append(']');
            } else {
                sb.append(sb.length() == 0 ? "" : ".").append(part);
            }
        }
        return sb.toString();
    }
}
