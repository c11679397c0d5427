package cn.tianfu.databus.cli.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import cn.tianfu.databus.catalog.CatalogEntries;
import cn.tianfu.databus.catalog.CoreMetadata;
import cn.tianfu.databus.catalog.ResourceDefinition;
import cn.tianfu.databus.cli.common.ClientOptions;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.governance.client.CatalogView;
import cn.tianfu.databus.governance.client.GovernanceClient;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.UpdateResource;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code databus catalog import}: registers or updates the department's resources from a spreadsheet in the
 * core-metadata layout, through governance commands sent as the department.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        header = "Register or update your resources from a catalog spreadsheet (xlsx, core-metadata layout); every problem"
                + " is listed with its row and column and nothing is sent while there is one.")
public final class CatalogImportCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "FILE", description = "The workbook (.xlsx), e.g. one written by 'databus catalog export'.")
    Path file;

    @Option(names = "--dry-run", description = "Check the workbook and say what would be registered or updated; send nothing.")
    boolean dryRun;

    @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "catalog import",
            description = "Reason given with each update (default: ${DEFAULT-VALUE}).")
    String reason;

    @Override
    public Integer call() throws IOException {
        Output output = client.output();
        DatabusClientConfig config = client.clientConfig();
        String dept = config.departmentId();
        Spreadsheets.Read read;
        try (InputStream in = Files.newInputStream(file)) {
            read = Spreadsheets.read(in);
        }
        List<CoreMetadata.Problem> problems = new ArrayList<>(read.problems());
        CoreMetadata.Parsed parsed = CoreMetadata.parse(read.rows(), dept);
        problems.addAll(parsed.problems());
        if (!problems.isEmpty()) {
            for (CoreMetadata.Problem p : problems) {
                output.err().println(file + ": " + p);
            }
            return output.fail(problems.size() + " problem(s) in " + file + "; nothing was sent");
        }
        List<CatalogEntry> existing;
        try (CatalogView catalog = CatalogView.open(config, ClientOptions.CONNECT_TIMEOUT)) {
            existing = catalog.all();
        }
        int failed = 0;
        try (GovernanceClient governance = dryRun ? null : client.governance(config)) {
            for (Map.Entry<Integer, ResourceDefinition> e : parsed.definitions()) {
                ResourceDefinition def = e.getValue();
                Optional<CatalogEntry> current = existing.stream().filter(c -> c.getCode().equals(def.code())).findFirst();
                String action = current.isPresent() ? "update" : "register";
                if (dryRun) {
                    output.out().println("row " + e.getKey() + ": would " + action + " " + def.code() + " (" + def.name() + ")");
                    continue;
                }
                // an update keeps the registered schema (the spreadsheet carries the metadata, not the record
                // schema): governance checks the items against it; changed items are a 'catalog update FILE'
                CommandResult r = governance.await(current.isPresent()
                        ? governance.update(UpdateResource.newBuilder().setSpec(CatalogEntries.toSpec(def))
                                .setSchemaJson(null).setReason(reason).build())
                        : governance.register(def), client.timeout());
                String line = "row " + e.getKey() + ": " + action + " " + def.code() + ": " + r.getOutcome() + ": " + r.getMessage();
                if (r.getAccepted()) {
                    output.out().println(line);
                } else {
                    failed++;
                    output.err().println(line);
                }
            }
        }
        if (failed > 0) {
            return output.fail(failed + " of " + parsed.definitions().size() + " row(s) were not accepted");
        }
        output.out().println((dryRun ? "Checked " : "Imported ") + parsed.definitions().size() + " row(s) from " + file
                + (dryRun ? "; nothing was sent (--dry-run)" : ""));
        return ExitCode.OK;
    }
}
