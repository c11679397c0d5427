package cn.tianfu.databus.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import cn.tianfu.databus.opendata.Opening;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.FieldType;
import cn.tianfu.databus.schemas.Sensitivity;

class CoreMetadataTest {

    static final Path EXAMPLE = Path.of("../examples/resources/amr-legal-entity.yaml");

    static Map<String, String> cells(List<String> row) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < row.size(); i++) {
            if (!row.get(i).isEmpty()) {
                out.put(CoreMetadata.COLUMNS.get(i), row.get(i));
            }
        }
        return out;
    }

    /** The entry governance writes for the definition: its opening reviewed. */
    static CatalogEntry governed(ResourceDefinition def, int version) {
        Instant at = Instant.parse("2026-12-20T00:00:00Z");
        return Opening.reviewed(CatalogEntries.toCatalogEntry(def, "s", 1, 1, version, at), CatalogEntries.toSpec(def), "amr", at);
    }

    @Test
    void anEntryReadsBackAsTheSameDefinition() {
        ResourceDefinition def = ResourceDefinitions.parse(EXAMPLE);
        CatalogEntry entry = governed(def, 3);
        List<String> row = CoreMetadata.row(entry);
        assertThat(row).hasSize(CoreMetadata.COLUMNS.size());
        Map<String, String> c = cells(row);
        assertThat(c).containsEntry(CoreMetadata.CODE, "10201-000001").containsEntry(CoreMetadata.SHARING_CLASS, "无条件共享")
                .containsEntry(CoreMetadata.FREQUENCY, "每日").containsEntry(CoreMetadata.OPEN, "是")
                .containsEntry(CoreMetadata.PUBLISH_DATE, "2026-03-01").containsEntry(CoreMetadata.VERSION, "3");
        assertThat(c.get(CoreMetadata.ITEMS)).startsWith("creditCode|统一社会信用代码|STRING|PUBLIC|NONE|主键|")
                .contains("registeredCapital|注册资本|DECIMAL(18,2)|PUBLIC|NONE||");

        CoreMetadata.Parsed parsed = CoreMetadata.parse(List.of(new CoreMetadata.Row(2, c)), "amr");
        assertThat(parsed.problems()).isEmpty();
        ResourceDefinition back = parsed.definitions().get(0).getValue();
        assertThat(CatalogEntries.toSpec(back)).isEqualTo(CatalogEntries.toSpec(def));
        assertThat(back.items().get(3).type()).isEqualTo(FieldType.DECIMAL);
        assertThat(back.items().get(2).sensitivity()).isEqualTo(Sensitivity.PERSONAL);
    }

    @Test
    void everyProblemIsNamedByItsRowAndColumn() {
        ResourceDefinition def = ResourceDefinitions.parse(EXAMPLE);
        Map<String, String> good = cells(CoreMetadata.row(governed(def, 1)));
        Map<String, String> bad = new HashMap<>(good);
        bad.remove(CoreMetadata.NAME);
        bad.put(CoreMetadata.PROVIDER, "psb");
        bad.put(CoreMetadata.SHARING_CLASS, "随便共享");
        bad.put(CoreMetadata.PUBLISH_DATE, "2026-13-40");
        bad.put(CoreMetadata.ITEMS, "creditCode|统一社会信用代码|TEXT|PUBLIC|NONE|主键\nname|姓名|STRING|PERSONAL|NONE|\nbroken");
        Map<String, String> unreviewed = new HashMap<>(good);
        unreviewed.remove(CoreMetadata.REVIEW);
        unreviewed.put(CoreMetadata.OPEN, "也许");

        CoreMetadata.Parsed parsed = CoreMetadata.parse(List.of(new CoreMetadata.Row(2, good), new CoreMetadata.Row(3, bad),
                new CoreMetadata.Row(5, unreviewed)), "amr");
        assertThat(parsed.definitions()).extracting(Map.Entry::getKey).containsExactly(2);
        assertThat(parsed.problems()).extracting(Object::toString).containsExactly(
                "row 3, column 信息资源名称: required",
                "row 3, column 信息资源提供方: the row is provided by 'psb', not by amr: a department imports only the"
                        + " resources it provides (one data, one source, Art. 17)",
                "row 3, column 共享属性: '随便共享' is not one of [不予共享, 无条件共享, 有条件共享]",
                "row 3, column 发布日期: '2026-13-40' is not a date (yyyy-MM-dd)",
                "row 3, column 信息项信息: item 1 ('creditCode|统一社会信用代码|TEXT|PUBLIC|NONE|主键'): type 'TEXT' is not one of"
                        + " [STRING, INT, LONG, DOUBLE, BOOLEAN, DECIMAL, DATE, TIMESTAMP, DECIMAL(p,s)]",
                "row 3, column 信息项信息: item 2 ('name|姓名|STRING|PERSONAL|NONE|'): a PERSONAL item needs a mask other than NONE",
                "row 3, column 信息项信息: item 3 ('broken'): write name|displayName|TYPE|SENSITIVITY|MASK|主键|description",
                "row 5, column 是否向社会开放: '也许' is neither 是 nor 否");
    }
}
