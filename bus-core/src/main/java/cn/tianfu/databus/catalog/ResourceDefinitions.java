package cn.tianfu.databus.catalog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import cn.tianfu.databus.config.FileProblemsException.Problem;

/**
 * Reads resource definition files: one YAML file per resource, written by its providing department.
 *
 * <pre>{@code
 * ResourceDefinition def = ResourceDefinitions.parse(Path.of("psb-population.yaml"));
 * Schema schema = AvroSchemas.forResource(def);           // the value schema of src.psb.101-000001
 * RegisterResource command = CatalogEntries.registerCommand(def);
 * }</pre>
 *
 * <h2>File layout</h2>
 * <pre>
 * code: 101-000001                  # 信息资源代码: &lt;classification&gt;-&lt;sequence&gt;; the &lt;resource&gt; of its topics
 * classification: "101"             # 前段码; first digit = category (1 BASIC, 2 THEMATIC, 3 DEPARTMENTAL)
 * name: 人口基础信息
 * category: BASIC                   # BASIC | THEMATIC | DEPARTMENTAL
 * provider: psb                     # department id
 * providerCode: 11510100...         # 统一社会信用代码 (check character verified) or 9-character organisation code
 * summary: ...
 * format: ...
 * recordName: Population            # optional Avro record name; default derived from the code
 * sharing:
 *   class: CONDITIONAL              # UNCONDITIONAL | CONDITIONAL (needs conditions) | NOT_SHARED (needs reasonNotShared)
 *   method: BOTH                    # PUSH | SERVICE | BOTH
 *   conditions: ...
 *   reasonNotShared: ...
 * open:                             # optional
 *   enabled: false
 *   conditions: ...
 *   fields: [code, name]            # the items opened (PUBLIC only, key items included); default every item
 *   review: ...                     # the confidentiality review statement (保密审查, Art. 40); required when enabled
 * updateFrequency: REAL_TIME        # REAL_TIME | DAILY | WEEKLY | MONTHLY | QUARTERLY | YEARLY | IRREGULAR
 * publishDate: 2026-03-01
 * relatedResources: [102-000001]    # optional
 * usageRequirements: ...            # optional
 * schema: population.avsc           # optional: take the field types from this Avro schema (path relative to this file)
 * items:                            # every field, in order
 *   - name: idNumber                # Avro field name (ASCII)
 *     displayName: 公民身份号码
 *     type: STRING                  # STRING INT LONG DOUBLE BOOLEAN DECIMAL DATE TIMESTAMP; omitted when schema is given
 *     precision: 18                 # DECIMAL only, with scale
 *     scale: 2
 *     description: ...
 *     sensitivity: PERSONAL         # PUBLIC | INTERNAL | PERSONAL
 *     mask: ID_NUMBER               # NONE | ID_NUMBER | PHONE | NAME | FULL; required (not NONE) for PERSONAL
 *     key: true                     # at least one item is a key
 * </pre>
 * Every problem of a file is reported at once, with its line, in a {@link ResourceDefinitionException}.
 */
public final class ResourceDefinitions {

    private ResourceDefinitions() {
    }

    /** Reads and validates a definition file; a referenced .avsc is resolved against the file's directory. */
    public static ResourceDefinition parse(Path file) {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ResourceDefinitionException(file.toString(), List.of(new Problem(0, "", "cannot read the file: " + e)));
        }
        Path dir = file.toAbsolutePath().getParent();
        return new DefinitionParser(file.toString(), dir).parse(yaml);
    }

    /**
     * Reads and validates a definition given as text; {@code sourceName} names it in problems, and a referenced .avsc
     * is resolved against {@code sourceName}'s directory (the working directory when it has none).
     */
    public static ResourceDefinition parse(String yaml, String sourceName) {
        Path parent = Path.of(sourceName).toAbsolutePath().getParent();
        return new DefinitionParser(sourceName, parent == null ? Path.of("").toAbsolutePath() : parent).parse(yaml);
    }
}
