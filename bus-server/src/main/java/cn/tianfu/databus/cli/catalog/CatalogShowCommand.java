package cn.tianfu.databus.cli.catalog;

import java.util.Optional;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.ClientOptions;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.cli.common.Table;
import cn.tianfu.databus.cli.common.Times;
import cn.tianfu.databus.governance.client.CatalogView;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.DataItem;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code databus catalog show}: one catalog entry with its data items. */
@Command(name = "show", mixinStandardHelpOptions = true, header = "Show one resource's catalog entry and data items.")
public final class CatalogShowCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "CODE", description = "Resource code, e.g. 10101-000001.")
    String code;

    @Override
    public Integer call() {
        Output output = client.output();
        Optional<CatalogEntry> found;
        try (CatalogView catalog = CatalogView.open(client.clientConfig(), ClientOptions.CONNECT_TIMEOUT)) {
            found = catalog.byCode(code);
        }
        if (found.isEmpty()) {
            return output.fail("no resource " + code + " in the catalog; 'databus catalog list' shows them all");
        }
        CatalogEntry e = found.get();
        if (output.isJson()) {
            output.json(e);
            return ExitCode.OK;
        }
        Table fields = new Table("FIELD", "VALUE");
        fields.row("code", e.getCode());
        fields.row("name", e.getName());
        fields.row("classification", e.getClassification());
        fields.row("category", e.getCategory());
        fields.row("provider", e.getProvider() + " (" + e.getProviderCode() + ")");
        fields.row("sharing", e.getSharingClass() + ", " + e.getSharingMethod());
        if (e.getSharingConditions() != null) {
            fields.row("conditions", e.getSharingConditions());
        }
        if (e.getReasonNotShared() != null) {
            fields.row("not shared", e.getReasonNotShared());
        }
        fields.row("open", e.getOpen() ? "yes" + (e.getOpenConditions() == null ? "" : ", " + e.getOpenConditions()) : "no");
        fields.row("update frequency", e.getUpdateFrequency());
        fields.row("published", e.getPublishDate());
        fields.row("format", e.getFormat());
        if (!e.getRelatedResources().isEmpty()) {
            fields.row("related", String.join(", ", e.getRelatedResources()));
        }
        fields.row("status", e.getStatus() + (e.getRetiredReason() == null ? "" : ": " + e.getRetiredReason()));
        fields.row("version", e.getCatalogVersion() + ", changed " + Times.format(e.getLastChanged()));
        fields.row("schema", e.getSchemaSubject() + " v" + e.getSchemaVersion() + " (id " + e.getSchemaId() + ")");
        fields.print(output.out());
        // long texts in full, below the table
        output.out().println();
        output.out().println("summary: " + e.getSummary());
        if (e.getUsageRequirements() != null) {
            output.out().println("usage requirements: " + e.getUsageRequirements());
        }
        output.out().println();
        Table items = new Table("ITEM", "NAME", "TYPE", "SENSITIVITY", "MASK", "KEY");
        for (DataItem i : e.getDataItems()) {
            items.row(i.getName(), i.getDisplayName(), i.getType(), i.getSensitivity(), i.getMask(), i.getKey() ? "key" : "");
        }
        items.print(output.out());
        return ExitCode.OK;
    }
}
