package cn.tianfu.databus.catalog;

import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import cn.tianfu.databus.schemas.Category;
import cn.tianfu.databus.schemas.FieldType;
import cn.tianfu.databus.schemas.MaskKind;
import cn.tianfu.databus.schemas.Sensitivity;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.schemas.UpdateFrequency;
import cn.tianfu.databus.contract.Topics;

/**
 * A resource as its providing department defines it in a resource definition file: the catalog metadata (Art. 12-16)
 * and the data items from which the Avro schema of {@code src.<provider>.<code>} is derived. Obtained, validated, from
 * {@link ResourceDefinitions#parse(java.nio.file.Path)}; immutable.
 *
 * @param code              resource code (信息资源代码): {@code <classification>-<sequence>}, e.g. {@code 101-000001}
 * @param classification    classification code (前段码); its first digit is the category (1 basic, 2 thematic, 3 departmental)
 * @param name              resource name (信息资源名称)
 * @param category          category by attribute (Art. 15)
 * @param provider          department id of the provider, the {@code <dept>} of its topics
 * @param providerCode      the provider's unified social credit code or organisation code
 * @param summary           summary (信息资源摘要)
 * @param format            format (信息资源格式)
 * @param sharingClass      sharing class (Art. 25)
 * @param sharingConditions sharing conditions; present for {@code CONDITIONAL}
 * @param sharingMethod     sharing method
 * @param open              whether the resource is opened to the public
 * @param openConditions    open conditions, if any
 * @param openFields        the data items opened to the public, when the file lists them (otherwise every item)
 * @param confidentialityStatement the provider's confidentiality review statement (保密审查, Art. 40), if given
 * @param updateFrequency   declared update frequency
 * @param publishDate       publish date
 * @param relatedResources  codes of related resources
 * @param usageRequirements usage requirements, if any
 * @param reasonNotShared   reason for not sharing; present for {@code NOT_SHARED}
 * @param recordName        Avro record name given in the file; otherwise derived from the code
 * @param items             data items, in field order, types resolved (from the referenced .avsc when there is one)
 * @param avroSchemaJson    the referenced .avsc file's schema, when the definition references one
 * @param source            the file (or name) the definition was read from, for messages
 */
public record ResourceDefinition(
        String code,
        String classification,
        String name,
        Category category,
        String provider,
        String providerCode,
        String summary,
        String format,
        SharingClass sharingClass,
        Optional<String> sharingConditions,
        SharingMethod sharingMethod,
        boolean open,
        Optional<String> openConditions,
        Optional<List<String>> openFields,
        Optional<String> confidentialityStatement,
        UpdateFrequency updateFrequency,
        LocalDate publishDate,
        List<String> relatedResources,
        Optional<String> usageRequirements,
        Optional<String> reasonNotShared,
        Optional<String> recordName,
        List<Item> items,
        Optional<String> avroSchemaJson,
        String source) {

    public ResourceDefinition {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(provider, "provider");
        relatedResources = List.copyOf(relatedResources);
        items = List.copyOf(items);
        openFields = openFields.map(List::copyOf);
    }

    /** The topic the provider publishes this resource on: {@code src.<provider>.<code>}. */
    public String topic() {
        return Topics.source(provider, code);
    }

    /** The items forming the record key, in field order. */
    public List<Item> keyItems() {
        return items.stream().filter(Item::key).toList();
    }

    /** The item with this field name. */
    public Optional<Item> item(String fieldName) {
        return items.stream().filter(i -> i.name().equals(fieldName)).findFirst();
    }

    /**
     * One data item (信息项).
     *
     * @param name        field name in the Avro schema (an ASCII Avro name such as {@code idNumber})
     * @param displayName the item's catalogued name, e.g. 公民身份号码
     * @param type        field type
     * @param precision   total digits of a {@code DECIMAL}; 0 for other types
     * @param scale       digits after the point of a {@code DECIMAL}; 0 for other types
     * @param description what the item holds, if given
     * @param sensitivity sensitivity
     * @param mask        masking on delivery; never {@code NONE} for a {@code PERSONAL} item
     * @param key         whether the item is (part of) the record key
     */
    public record Item(
            String name,
            String displayName,
            FieldType type,
            int precision,
            int scale,
            Optional<String> description,
            Sensitivity sensitivity,
            MaskKind mask,
            boolean key) {
    }
}
