package cn.tianfu.databus.governance.rules;

import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.ViolationAction;

/**
 * A new state an accepted command writes: a catalog entry, a request or a grant (each replaces the one of its key), or
 * an accepted action of the authority on a violation (appended to {@code bus.violation-actions}).
 */
public sealed interface Change {

    /** The new state of a catalog entry (key: resource code). */
    record CatalogState(CatalogEntry entry) implements Change {
    }

    /** The new state of an access request (key: request id). */
    record RequestState(AccessRequest request) implements Change {
    }

    /** The new state of a grant (key: grant id). */
    record GrantState(Grant grant) implements Change {
    }

    /** An accepted action on a violation (key: violation id), which the deadlines app applies to the violation. */
    record ViolationActionState(ViolationAction action) implements Change {
    }
}
