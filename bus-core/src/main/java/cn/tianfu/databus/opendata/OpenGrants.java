package cn.tianfu.databus.opendata;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.SharingMethod;

/**
 * The open grant of an open resource: a grant the catalog entry implies (it is never stored on {@code bus.grants}),
 * through which the sharing router publishes the resource to {@code open.<resource>} on the same code path as every
 * grant — projection to the open fields, masks, row-filter-free delivery, backfill, exchange log (mode OPEN).
 *
 * <p>Its id is {@code <code>.O<v>}, {@code v} the catalog version of the confidentiality review that opened it, so a
 * new review (new open fields) is a new grant and republishes the resource with the new projection. Its consumer is
 * {@value #PUBLIC}, a name no department can take.
 */
public final class OpenGrants {

    /** The consumer of every open grant: the public. */
    public static final String PUBLIC = "public";

    private static final Pattern ID = Pattern.compile("(.+)\\.O([0-9]+)");

    private OpenGrants() {
    }

    /** The open grant of an entry, when the entry's resource is open ({@link Opening#isOpen}). */
    public static Optional<Grant> of(CatalogEntry entry) {
        if (!Opening.isOpen(entry)) {
            return Optional.empty();
        }
        var review = entry.getConfidentialityReview();
        String id = id(entry.getCode(), review.getCatalogVersion());
        String conditions = entry.getOpenConditions();
        return Optional.of(Grant.newBuilder()
                .setGrantId(id)
                .setRequestId(id)
                .setResourceCode(entry.getCode())
                .setProvider(entry.getProvider())
                .setConsumer(PUBLIC)
                .setPurpose("open data (Art. 31)" + (conditions == null || conditions.isBlank() ? "" : "; conditions: " + conditions))
                .setMethod(SharingMethod.PUSH)
                .setAllowedFields(List.copyOf(entry.getOpenFields()))
                .setClearFields(List.of())
                .setRowFilter(null)
                .setValidFrom(review.getReviewedAt())
                .setValidUntil(null)
                .setStatus(GrantStatus.ACTIVE)
                .setCreatedAt(review.getReviewedAt())
                .build());
    }

    /** The id of the open grant of resource {@code code} opened at catalog version {@code version}. */
    public static String id(String code, int version) {
        return code + ".O" + version;
    }

    /** Whether a grant is an open grant (by its id and consumer). */
    public static boolean isOpen(Grant g) {
        return PUBLIC.equals(g.getConsumer()) && ID.matcher(g.getGrantId()).matches();
    }

    /** The resource code an open grant id names; empty when {@code grantId} is no open grant id. */
    public static Optional<String> resourceOf(String grantId) {
        Matcher m = ID.matcher(grantId);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
