package cn.tianfu.databus.catalog;

import java.time.Instant;
import java.util.List;

import cn.tianfu.databus.catalog.ResourceDefinition.Item;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.DataItem;
import cn.tianfu.databus.schemas.RegisterResource;
import cn.tianfu.databus.schemas.ResourceSpec;
import cn.tianfu.databus.schemas.ResourceStatus;

/**
 * Converts resource definitions to the bus's catalog records.
 *
 * <pre>{@code
 * RegisterResource command = CatalogEntries.registerCommand(definition);        // what a provider sends
 * CatalogEntry entry = CatalogEntries.toCatalogEntry(command.getSpec(), "psb",  // what governance writes
 *         "src.psb.101-000001-value", 7, 1, 1, Instant.now());
 * }</pre>
 */
public final class CatalogEntries {

    private CatalogEntries() {
    }

    /** The catalog metadata of a definition, as commands carry it. */
    public static ResourceSpec toSpec(ResourceDefinition def) {
        return ResourceSpec.newBuilder()
                .setCode(def.code())
                .setClassification(def.classification())
                .setName(def.name())
                .setCategory(def.category())
                .setProviderCode(def.providerCode())
                .setSummary(def.summary())
                .setFormat(def.format())
                .setDataItems(dataItems(def.items()))
                .setSharingClass(def.sharingClass())
                .setSharingConditions(def.sharingConditions().orElse(null))
                .setSharingMethod(def.sharingMethod())
                .setOpen(def.open())
                .setOpenConditions(def.openConditions().orElse(null))
                .setOpenFields(def.openFields().orElse(null))
                .setConfidentialityStatement(def.confidentialityStatement().orElse(null))
                .setUpdateFrequency(def.updateFrequency())
                .setPublishDate(def.publishDate())
                .setRelatedResources(def.relatedResources())
                .setUsageRequirements(def.usageRequirements().orElse(null))
                .setReasonNotShared(def.reasonNotShared().orElse(null))
                .build();
    }

    /** The command registering a definition: its metadata and the schema derived by {@link AvroSchemas#forResource}. */
    public static RegisterResource registerCommand(ResourceDefinition def) {
        return RegisterResource.newBuilder().setSpec(toSpec(def)).setSchemaJson(AvroSchemas.forResource(def).toString()).build();
    }

    /** An ACTIVE catalog entry of the resource a spec describes, provided by {@code provider}, with its registered schema. */
    public static CatalogEntry toCatalogEntry(ResourceSpec spec, String provider, String schemaSubject, int schemaId,
            int schemaVersion, int catalogVersion, Instant changedAt) {
        return CatalogEntry.newBuilder()
                .setCode(spec.getCode())
                .setClassification(spec.getClassification())
                .setName(spec.getName())
                .setCategory(spec.getCategory())
                .setProvider(provider)
                .setProviderCode(spec.getProviderCode())
                .setSummary(spec.getSummary())
                .setFormat(spec.getFormat())
                .setDataItems(List.copyOf(spec.getDataItems()))
                .setSharingClass(spec.getSharingClass())
                .setSharingConditions(spec.getSharingConditions())
                .setSharingMethod(spec.getSharingMethod())
                .setOpen(spec.getOpen())
                .setOpenConditions(spec.getOpenConditions())
                .setUpdateFrequency(spec.getUpdateFrequency())
                .setPublishDate(spec.getPublishDate())
                .setRelatedResources(List.copyOf(spec.getRelatedResources()))
                .setUsageRequirements(spec.getUsageRequirements())
                .setReasonNotShared(spec.getReasonNotShared())
                .setSchemaSubject(schemaSubject)
                .setSchemaId(schemaId)
                .setSchemaVersion(schemaVersion)
                .setCatalogVersion(catalogVersion)
                .setStatus(ResourceStatus.ACTIVE)
                .setRetiredReason(null)
                .setLastChanged(changedAt)
                .build();
    }

    /** {@link #toCatalogEntry(ResourceSpec, String, String, int, int, int, Instant)} of a definition. */
    public static CatalogEntry toCatalogEntry(ResourceDefinition def, String schemaSubject, int schemaId, int schemaVersion,
            int catalogVersion, Instant changedAt) {
        return toCatalogEntry(toSpec(def), def.provider(), schemaSubject, schemaId, schemaVersion, catalogVersion, changedAt);
    }

    private static List<DataItem> dataItems(List<Item> items) {
        return items.stream().map(i -> DataItem.newBuilder()
                .setName(i.name())
                .setDisplayName(i.displayName())
                .setType(i.type())
                .setPrecision(i.type() == cn.tianfu.databus.schemas.FieldType.DECIMAL ? i.precision() : null)
                .setScale(i.type() == cn.tianfu.databus.schemas.FieldType.DECIMAL ? i.scale() : null)
                .setDescription(i.description().orElse(null))
                .setSensitivity(i.sensitivity())
                .setMask(i.mask())
                .setKey(i.key())
                .build()).toList();
    }
}
