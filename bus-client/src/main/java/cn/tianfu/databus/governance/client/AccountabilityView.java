package cn.tianfu.databus.governance.client;

import java.time.Duration;
import java.util.List;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.governance.client.internal.HttpViews;
import cn.tianfu.databus.schemas.Dispute;
import cn.tianfu.databus.schemas.ErrorReport;

/**
 * The error reports (Art. 27) and disputes (Art. 28) a principal may see, from the bus's HTTP API: every one for the
 * authority (the bus principal), those it is party to for a department, those referred to it for an expert.
 */
public final class AccountabilityView {

    private AccountabilityView() {
    }

    /** Error reports, in reporting order. */
    public static List<ErrorReport> reports(DatabusClientConfig config, Duration timeout) {
        return HttpViews.reports(config, timeout);
    }

    /** Disputes, in opening order. */
    public static List<Dispute> disputes(DatabusClientConfig config, Duration timeout) {
        return HttpViews.disputes(config, timeout);
    }
}
