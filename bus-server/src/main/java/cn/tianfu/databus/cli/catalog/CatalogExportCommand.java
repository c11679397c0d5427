package cn.tianfu.databus.cli.catalog;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import cn.tianfu.databus.catalog.CoreMetadata;
import cn.tianfu.databus.cli.common.ClientOptions;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.governance.client.CatalogView;
import cn.tianfu.databus.opendata.Csv;
import cn.tianfu.databus.schemas.CatalogEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code databus catalog export}: the city-wide catalog in the national core-metadata layout. */
@Command(name = "export", mixinStandardHelpOptions = true,
        header = "Export the city-wide catalog (every department's resources, Art. 32) in the national core-metadata layout.")
public final class CatalogExportCommand implements Callable<Integer> {

    enum Format { xlsx, csv, json }

    @Mixin
    ClientOptions client;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "xlsx",
            description = "xlsx, csv (UTF-8, RFC 4180) or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write (default: standard output; required for xlsx).")
    Path out;

    @Override
    public Integer call() throws IOException {
        Output output = client.output();
        if (format == Format.xlsx && out == null) {
            return output.fail("an xlsx workbook is written to a file: give --out FILE");
        }
        List<CatalogEntry> entries;
        try (CatalogView catalog = CatalogView.open(client.clientConfig(), ClientOptions.CONNECT_TIMEOUT)) {
            entries = new ArrayList<>(catalog.all());
        }
        entries.sort(Comparator.comparing(CatalogEntry::getProvider).thenComparing(CatalogEntry::getCode));
        List<List<String>> rows = entries.stream().map(CoreMetadata::row).toList();
        switch (format) {
            case xlsx -> {
                try (OutputStream o = Files.newOutputStream(out)) {
                    Spreadsheets.write(rows, o);
                }
            }
            case csv -> write(w -> {
                w.write("\uFEFF");   // a BOM, so that spreadsheet programs read the Chinese as UTF-8
                w.write(Csv.record(CoreMetadata.COLUMNS));
                for (List<String> r : rows) {
                    w.write(Csv.record(r));
                }
            }, output);
            case json -> write(w -> {
                List<Map<String, String>> objects = new ArrayList<>();
                for (List<String> r : rows) {
                    Map<String, String> o = new LinkedHashMap<>();
                    for (int i = 0; i < r.size(); i++) {
                        o.put(CoreMetadata.COLUMNS.get(i), r.get(i));
                    }
                    objects.add(o);
                }
                w.write(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(objects));
                w.write("\n");
            }, output);
        }
        if (out != null) {
            output.out().println("Exported " + rows.size() + " resource(s) of "
                    + entries.stream().map(CatalogEntry::getProvider).distinct().count() + " department(s) to " + out
                    + " (" + format + ")");
        }
        return ExitCode.OK;
    }

    private interface Body {
        void write(java.io.Writer w) throws IOException;
    }

    private void write(Body body, Output output) throws IOException {
        if (out == null) {
            PrintWriter w = output.out();
            body.write(w);
            w.flush();
            return;
        }
        try (var w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            body.write(w);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
