package cn.tianfu.databus.governance.app.internal;

import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.Dispute;
import cn.tianfu.databus.schemas.ErrorReport;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.ViolationAction;

/** What the governance processors emit; the topology splits it by kind onto its topic. */
public sealed interface Out {

    /** A command routed to its resource's partition (key: resource code). */
    record Routed(Envelope envelope) implements Out {
    }

    /** An answer on {@code reply.<sender>} (key: command id). */
    record Reply(String sender, CommandResult result) implements Out {
    }

    /** A catalogue-update notice's new state on {@code bus.catalog-notices} (key: notice id). */
    record NoticeState(cn.tianfu.databus.schemas.CatalogNotice notice) implements Out {
    }

    /** A public request's new state on {@code bus.public-requests} (key: request id). */
    record PublicRequestState(cn.tianfu.databus.schemas.PublicRequest request) implements Out {
    }

    /** A rejected input on {@code bus.deadletter} (key: dead-letter id). */
    record Dead(DeadLetter letter) implements Out {
    }

    /** A catalog entry's new state on {@code bus.catalog} (key: resource code). */
    record Catalog(CatalogEntry entry) implements Out {
    }

    /** A request's new state on {@code bus.requests} (key: request id). */
    record Request(AccessRequest request) implements Out {
    }

    /** A grant's new state on {@code bus.grants} (key: grant id). */
    record GrantState(Grant grant) implements Out {
    }

    /** An accepted action on a violation on {@code bus.violation-actions} (key: violation id). */
    record ViolationAct(ViolationAction action) implements Out {
    }

    /** An error report's new state on {@code bus.error-reports} (key: report id). */
    record Report(ErrorReport report) implements Out {
    }

    /** A dispute's new state on {@code bus.disputes} (key: dispute id). */
    record DisputeState(Dispute dispute) implements Out {
    }
}
