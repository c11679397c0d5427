package cn.tianfu.databus.cdc.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.connect.data.Struct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.cdc.CdcMapping;
import cn.tianfu.databus.cdc.CdcMapping.TableMapping;
import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.registry.RegisteredSchema;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.contract.Topics;

/**
 * The table-binding cache of both CDC paths (the embedded runner and the Connect transform): per mapped table, its
 * {@link TableBinding} to the resource's catalogued schema, kept while the rows keep their shape and bound again — to
 * the schema then catalogued — when the shape changes or the caller {@linkplain #forget forgets} it.
 *
 * <p>Not thread-safe: one per capture thread (the runner's engine thread, a Connect task).
 */
public final class TableBindings {

    private static final Logger LOG = LoggerFactory.getLogger(TableBindings.class);

    /** A table's binding and the catalogued schema it was bound to (whose id frames its records). */
    public record Bound(TableBinding binding, RegisteredSchema catalogued) {
    }

    private final CdcMapping mapping;
    private final SchemaRegistryClient registry;
    private final Map<String, Bound> bound = new HashMap<>();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    public TableBindings(CdcMapping mapping, SchemaRegistryClient registry) {
        this.mapping = mapping;
        this.registry = registry;
    }

    /**
     * The table's binding for rows of {@code row}'s shape.
     *
     * @throws Conversions.ConversionException          when the change carries no row image
     * @throws TableBinding.IncompatibleChangeException when the row no longer fits the mapping and catalogued schema
     */
    public Bound bind(TableMapping t, Struct row) {
        if (row == null) {
            throw new Conversions.ConversionException("the change carries no row image; set REPLICA IDENTITY FULL"
                    + " (PostgreSQL) or binlog_row_image=FULL (MySQL/MariaDB)");
        }
        Bound b = bound.get(t.table());
        if (b != null && b.binding().fits(row.schema(), b.binding().schema())) {
            return b;
        }
        RegisteredSchema latest = registry.latest(Subjects.valueSubject(Topics.source(mapping.department(), t.resource())));
        TableBinding binding = TableBinding.bind(t, latest.schema(), mapping.timeZone(), row.schema());
        for (String c : binding.ignoredColumns()) {
            if (warned.add(t.table() + "." + c)) {
                LOG.warn("Column {} of {} is neither mapped nor in resource {}: left out (unmappedColumns: ignore)",
                        c, t.table(), t.resource());
            }
        }
        b = new Bound(binding, latest);
        bound.put(t.table(), b);
        return b;
    }

    /** Drops the table's binding: the next row binds to the schema catalogued then (e.g. after a new version). */
    public void forget(String table) {
        bound.remove(table);
    }
}
