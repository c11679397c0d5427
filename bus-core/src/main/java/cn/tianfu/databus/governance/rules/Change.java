package cn.tianfu.databus.governance.rules;

import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Dispute;
import cn.tianfu.databus.schemas.ErrorReport;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.ViolationAction;

/**
 * A new state an accepted command writes: a catalog entry, a request, a grant, an error report or a dispute (each
 * replaces the one of its key); an accepted action of the authority on a violation (appended to
 * {@code bus.violation-actions}); or a notice to another party of the command.
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

    /** The new state of an error report (key: report id). */
    record ReportState(ErrorReport report) implements Change {
    }

    /** The new state of a catalogue-update notice (key: notice id; Art. 14). */
    record NoticeState(cn.tianfu.databus.schemas.CatalogNotice notice) implements Change {
    }

    /** The new state of a public request to open data (key: request id; Art. 34). */
    record PublicRequestState(cn.tianfu.databus.schemas.PublicRequest request) implements Change {
    }

    /** The new state of a dispute (key: dispute id). */
    record DisputeState(Dispute dispute) implements Change {
    }

    /**
     * A notice to {@code recipient} (a department, the authority or an expert) on its reply topic, about what another
     * party's command did: key {@code noticeId}, which is unique per notice.
     */
    record Notice(String recipient, String noticeId, Answer answer) implements Change {
    }
}
