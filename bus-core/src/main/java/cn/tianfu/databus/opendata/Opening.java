package cn.tianfu.databus.opendata;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import cn.tianfu.databus.contract.Principals;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.ConfidentialityReview;
import cn.tianfu.databus.schemas.DataItem;
import cn.tianfu.databus.schemas.ResourceSpec;
import cn.tianfu.databus.schemas.ResourceStatus;
import cn.tianfu.databus.schemas.Sensitivity;
import cn.tianfu.databus.schemas.SharingClass;

/**
 * The rules of opening a resource to the public (Art. 31, 40): pure, used by governance on every registration and
 * update that opens a resource, and by the router and the open catalog to tell what is open.
 *
 * <pre>{@code
 * List<String> refusals = Opening.refusals(spec);    // empty: the spec may open
 * CatalogEntry opened = Opening.reviewed(entry, spec, "psb", now);
 * Opening.isOpen(opened);                            // ACTIVE and open
 * }</pre>
 */
public final class Opening {

    private Opening() {
    }

    /**
     * Why a spec that opens its resource may not: the resource is not shared; an open item is not a data item, or is
     * not PUBLIC (PERSONAL and INTERNAL items are never opened); a key item is not opened; the confidentiality review
     * statement is missing. Empty when the spec does not open the resource or may open it.
     */
    public static List<String> refusals(ResourceSpec spec) {
        List<String> problems = new ArrayList<>();
        if (!spec.getOpen()) {
            return problems;
        }
        if (spec.getSharingClass() == SharingClass.NOT_SHARED) {
            problems.add("a NOT_SHARED resource is not opened to the public");
        }
        Map<String, DataItem> items = spec.getDataItems() == null ? Map.of() : spec.getDataItems().stream()
                .collect(Collectors.toMap(DataItem::getName, Function.identity(), (a, b) -> a));
        List<String> open = spec.getOpenFields() == null ? List.copyOf(items.keySet()) : spec.getOpenFields();
        if (spec.getOpenFields() != null) {
            open = spec.getDataItems().stream().map(DataItem::getName).filter(Set.copyOf(spec.getOpenFields())::contains).toList();
            for (String f : spec.getOpenFields()) {
                if (!items.containsKey(f)) {
                    problems.add("open field '" + f + "' is not a data item of the resource");
                }
            }
        }
        for (DataItem item : spec.getDataItems() == null ? List.<DataItem>of() : spec.getDataItems()) {
            if (!open.contains(item.getName())) {
                if (item.getKey()) {
                    problems.add("key item '" + item.getName() + "' (" + item.getDisplayName() + ") must be among the open"
                            + " fields: an open record is identified by its key");
                }
                continue;
            }
            if (item.getSensitivity() == Sensitivity.PERSONAL) {
                problems.add("item '" + item.getName() + "' (" + item.getDisplayName() + ") is PERSONAL: personal"
                        + " information is never opened to the public (Art. 40); leave it out of open.fields");
            } else if (item.getSensitivity() != Sensitivity.PUBLIC) {
                problems.add("item '" + item.getName() + "' (" + item.getDisplayName() + ") is " + item.getSensitivity()
                        + ": only PUBLIC items are opened; leave it out of open.fields");
            }
        }
        if (spec.getConfidentialityStatement() == null || spec.getConfidentialityStatement().isBlank()) {
            problems.add("opening a resource needs the provider's confidentiality review (保密审查, Art. 40): give its"
                    + " statement (confidentialityStatement; open.review in a definition file)");
        }
        return problems;
    }

    /** The items a spec opens, in data-item order: the listed open fields, or every item when none are listed. */
    public static List<String> openFields(ResourceSpec spec) {
        List<DataItem> items = spec.getDataItems() == null ? List.of() : spec.getDataItems();
        if (spec.getOpenFields() == null) {
            return items.stream().map(DataItem::getName).toList();
        }
        Set<String> listed = Set.copyOf(spec.getOpenFields());
        return items.stream().map(DataItem::getName).filter(listed::contains).toList();
    }

    /**
     * The entry with its opening recorded: when the spec opens the resource, its open fields and the confidentiality
     * review (reviewed by the sender's principal, at {@code now}, with the spec's statement, at the entry's version);
     * otherwise neither.
     */
    public static CatalogEntry reviewed(CatalogEntry entry, ResourceSpec spec, String sender, Instant now) {
        if (!spec.getOpen()) {
            return CatalogEntry.newBuilder(entry).setOpenFields(null).setConfidentialityReview(null).build();
        }
        return CatalogEntry.newBuilder(entry)
                .setOpenFields(openFields(spec))
                .setConfidentialityReview(ConfidentialityReview.newBuilder()
                        .setReviewedBy(Principals.principal(sender))
                        .setReviewedAt(now)
                        .setStatement(spec.getConfidentialityStatement())
                        .setCatalogVersion(entry.getCatalogVersion())
                        .build())
                .build();
    }

    /** Whether the entry's resource is open now: ACTIVE, open, reviewed, and shared. */
    public static boolean isOpen(CatalogEntry entry) {
        return entry != null && entry.getStatus() == ResourceStatus.ACTIVE && entry.getOpen()
                && entry.getConfidentialityReview() != null && entry.getOpenFields() != null
                && entry.getSharingClass() != SharingClass.NOT_SHARED;
    }
}
