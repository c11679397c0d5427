package cn.tianfu.databus.cli.catalog;

import java.util.List;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.ClientOptions;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.cli.common.Table;
import cn.tianfu.databus.cli.common.Times;
import cn.tianfu.databus.governance.client.CatalogHistory;
import cn.tianfu.databus.schemas.CatalogEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code databus catalog history}: every version of one catalog entry. */
@Command(name = "history", mixinStandardHelpOptions = true,
        header = "Show every version of one resource's catalog entry (bus.catalog.history), oldest first.")
public final class CatalogHistoryCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "CODE", description = "Resource code, e.g. 10101-000001.")
    String code;

    @Override
    public Integer call() {
        Output output = client.output();
        List<CatalogEntry> versions = CatalogHistory.of(client.clientConfig(), code, ClientOptions.CONNECT_TIMEOUT.multipliedBy(2));
        if (versions.isEmpty()) {
            return output.fail("resource " + code + " has no catalog history; 'databus catalog list' shows the catalog");
        }
        if (output.isJson()) {
            output.json(versions);
            return ExitCode.OK;
        }
        Table t = new Table("VERSION", "CHANGED", "STATUS", "SHARING", "OPEN", "SCHEMA", "NAME");
        for (CatalogEntry e : versions) {
            String open = e.getOpen() ? "yes" + (e.getOpenFields() == null ? "" : " (" + String.join(",", e.getOpenFields()) + ")") : "no";
            t.row(e.getCatalogVersion(), Times.format(e.getLastChanged()), e.getStatus(), e.getSharingClass(), open,
                    "v" + e.getSchemaVersion(), e.getName());
        }
        t.print(output.out());
        for (CatalogEntry e : versions) {
            if (e.getConfidentialityReview() != null) {
                output.out().println("version " + e.getCatalogVersion() + ": confidentiality review by "
                        + e.getConfidentialityReview().getReviewedBy() + " at "
                        + Times.format(e.getConfidentialityReview().getReviewedAt()) + ": "
                        + e.getConfidentialityReview().getStatement());
            }
        }
        return ExitCode.OK;
    }
}
