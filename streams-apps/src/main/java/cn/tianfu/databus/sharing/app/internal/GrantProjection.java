package cn.tianfu.databus.sharing.app.internal;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.sharing.DeliveryPlan;
import cn.tianfu.databus.sharing.MaskRule;
import cn.tianfu.databus.sharing.PolicyException;
import cn.tianfu.databus.sharing.RowFilter;

/**
 * What a grant makes of a record of one schema: its row filter and its delivery plan (projection and masks). The one
 * place both are built from a grant, for push deliveries ({@link GrantRouter}) and query answers
 * ({@code sharing.app.RouterQueries}) alike; a grant whose filter does not compile or whose plan cannot be built
 * gives nothing (empty), never more than granted.
 */
public final class GrantProjection {

    private static final Logger LOG = LoggerFactory.getLogger(GrantProjection.class);

    private GrantProjection() {
    }

    /** The grant's row filter compiled against the writer schema; empty when it has none or it does not compile. */
    public static Optional<RowFilter> filter(String grantId, String expression, Schema schema) {
        if (expression == null) {
            return Optional.empty();
        }
        try {
            // a grant's filter was checked when it was decided; the run-time step limit still applies
            return Optional.of(RowFilter.compileGranted(expression, schema, (expr, message) ->
                    LOG.debug("Row filter of grant {} failed on a record: {}", grantId, message)));
        } catch (PolicyException e) {
            LOG.error("Grant {}: row filter does not compile against {}; nothing is delivered under it: {}",
                    grantId, schema.getFullName(), e.getMessage());
            return Optional.empty();
        }
    }

    /** The grant's delivery plan for the writer schema; empty when it cannot be built. */
    public static Optional<DeliveryPlan> plan(String grantId, String consumer, java.util.List<String> allowed,
                                              java.util.List<String> clear, Schema schema) {
        try {
            return Optional.of(DeliveryPlan.build(schema, consumer, Optional.ofNullable(allowed), Set.copyOf(clear)));
        } catch (PolicyException e) {
            LOG.error("Grant {}: cannot plan delivery of {}; nothing is delivered under it: {}", grantId,
                    schema.getFullName(), e.getMessage());
            return Optional.empty();
        }
    }

    /** The grant's delivery plan for the writer schema; empty when it cannot be built. */
    public static Optional<DeliveryPlan> plan(Grant g, Schema schema) {
        return plan(g.getGrantId(), g.getConsumer(), g.getAllowedFields(), g.getClearFields(), schema);
    }

    /** The fields a plan delivers in clear (delivered and not masked). */
    public static Set<String> clearFields(DeliveryPlan plan) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (Map.Entry<String, MaskRule> e : plan.appliedMasks().entrySet()) {
            if (e.getValue() == MaskRule.NONE) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /**
     * The record as the grant delivers it, exactly as a push delivery would carry it: empty when the grant's row filter
     * hides it (a filter over its cost limit on the record hides it too), or when the grant's filter or plan cannot be
     * built.
     */
    public static Optional<org.apache.avro.generic.GenericRecord> project(Grant g,
                                                                        org.apache.avro.generic.GenericRecord value) {
        return project(g, value, filter(g.getGrantId(), g.getRowFilter(), value.getSchema()),
                plan(g, value.getSchema()));
    }

    /** As {@link #project(Grant, org.apache.avro.generic.GenericRecord)}, with the grant's filter and plan built before. */
    public static Optional<org.apache.avro.generic.GenericRecord> project(Grant g,
            org.apache.avro.generic.GenericRecord value, Optional<RowFilter> filter, Optional<DeliveryPlan> plan) {
        boolean passes = filter.isPresent() ? filter.get().evaluate(value) == RowFilter.Result.PASS
                : g.getRowFilter() == null;
        if (!passes) {
            return Optional.empty();
        }
        return plan.map(p -> p.apply(value));
    }
}
