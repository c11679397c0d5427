package cn.tianfu.databus.sharing.app.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.SharingMethod;

/**
 * How much of each key's state a resource keeps in {@code router-latest} ({@link ReplayGuard.Keep}), from its grants
 * (docs/router.md, "What router-latest keeps"):
 * <ul>
 *   <li>no grant at all, whatever its status (open grants included) → {@link ReplayGuard.Keep#NOTHING}: no one is
 *       delivered, withdrawn or answered, and a grant's backfill, which replays the source topic, fills the state when
 *       one appears;</li>
 *   <li>an {@code ACTIVE} SERVICE or BOTH grant (in force, or whose validity is still to begin) →
 *       {@link ReplayGuard.Keep#VALUE}: the service exchange answers lookups from the value;</li>
 *   <li>otherwise → {@link ReplayGuard.Keep#POSITION}: a withdrawal needs each held key's offset (and reads a narrowed
 *       re-delivery's value from the source topic there).</li>
 * </ul>
 * Worked out once per change of the resource's grants: the reader hands out the same list instance until then.
 */
final class StateKeeping {

    private final GlobalStores.Reader global;
    private final Map<String, Decided> byResource = new HashMap<>();

    private record Decided(List<Grant> grants, ReplayGuard.Keep keep) {
    }

    StateKeeping(GlobalStores.Reader global) {
        this.global = global;
    }

    /** What the resource keeps of its keys' states now. */
    ReplayGuard.Keep of(CatalogEntry entry) {
        List<Grant> grants = global.grantsOf(entry.getCode());
        Decided d = byResource.get(entry.getCode());
        if (d == null || d.grants() != grants) {
            d = new Decided(grants, keep(grants));
            byResource.put(entry.getCode(), d);
        }
        return d.keep();
    }

    /** The rule above, for a resource's grants. */
    static ReplayGuard.Keep keep(List<Grant> grants) {
        if (grants.isEmpty()) {
            return ReplayGuard.Keep.NOTHING;
        }
        for (Grant g : grants) {
            if (g.getStatus() == GrantStatus.ACTIVE
                    && (g.getMethod() == SharingMethod.SERVICE || g.getMethod() == SharingMethod.BOTH)) {
                return ReplayGuard.Keep.VALUE;
            }
        }
        return ReplayGuard.Keep.POSITION;
    }
}
