package cn.tianfu.databus.cli.report;

import java.util.List;

import cn.tianfu.databus.accountability.DisputeFact;
import cn.tianfu.databus.accountability.ReportFact;
import cn.tianfu.databus.client.DatabusClientConfig;

/**
 * Where the monthly report gets its error reports (校核) and disputes (异议) from: the one place that reads them. Until
 * the bus keeps error reports and disputes on topics of their own, both lists are empty and their columns show zero.
 */
final class AccountabilityFacts {

    private AccountabilityFacts() {
    }

    /** The error reports on the bus, read as the bus principal. */
    static List<ReportFact> reports(DatabusClientConfig bus) {
        return List.of();
    }

    /** The disputes on the bus, read as the bus principal. */
    static List<DisputeFact> disputes(DatabusClientConfig bus) {
        return List.of();
    }
}
