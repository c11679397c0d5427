package cn.tianfu.databus.cli.audit;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import cn.tianfu.databus.audit.AuditReader;
import cn.tianfu.databus.audit.ExchangeQueries;
import cn.tianfu.databus.ledger.KeyHasher;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code databus audit trace}: who received record K of resource R, when, under which grant and purpose; with
 * {@code --district FILE} on a city bus, also the district's half of each exchange that came from a district bus.
 */
@Command(name = "trace", mixinStandardHelpOptions = true,
        header = "List every exchange of one record: who received it, when, under which grant and purpose.")
public final class TraceCommand implements Callable<Integer> {

    @Mixin
    AuditConnection connection;

    @Option(names = "--resource", required = true, paramLabel = "R", description = "Resource code.")
    String resource;

    static final class Key {
        @Option(names = "--key", paramLabel = "K", description = "The record key as text (its UTF-8 bytes are hashed).")
        String text;
        @Option(names = "--key-hex", paramLabel = "HEX", description = "The record key's bytes in hex, for binary keys.")
        String hex;
    }

    @ArgGroup(multiplicity = "1")
    Key key;

    @Option(names = "--district", paramLabel = "FILE",
            description = "On a city bus: also open the district bus's exchange log (FILE: client properties of that"
                    + " bus, an auditor's or its bus principal's) and print, for each exchange that names an upstream"
                    + " exchange, the district's half of it, or that the district's log does not hold it.")
    Path district;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        KeyHasher hasher = connection.keyHasher();
        byte[] bytes = key.text != null ? key.text.getBytes(StandardCharsets.UTF_8) : HexFormat.of().parseHex(key.hex);
        String keyHash = hasher.hash(bytes);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-24s %-10s %-6s %-8s %-20s %s%n", "time", "consumer", "mode", "op", "grant", "purpose");
        List<ExchangeQueries.Traced> found;
        try (AuditReader reader = connection.reader(null)) {
            found = ExchangeQueries.trace(reader, resource, keyHash);
        }
        for (ExchangeQueries.Traced t : found) {
            var e = t.entry();
            out.printf("%-24s %-10s %-6s %-8s %-20s %s  (exchange %s, partition %d position %d)%s%n",
                    Instant.ofEpochMilli(e.timeMillis()), e.consumer(), e.mode(), e.operation(),
                    e.grantId(), e.purpose(), e.exchangeId(), t.partition(), t.position(),
                    e.upstreamExchangeId() == null ? ""
                            : "  upstream exchange " + e.upstreamExchangeId() + " of " + e.provider());
        }
        out.printf("%d exchanges of this record of %s%n", found.size(), resource);
        if (district != null) {
            printDistrictHalves(out, found);
        }
        out.flush();
        return ExitCode.OK;
    }

    /**
     * District tiers (docs/tiers.md): each exchange that names an upstream exchange, matched with the entry of that id
     * in the district's log.
     */
    private void printDistrictHalves(PrintWriter out, List<ExchangeQueries.Traced> found) {
        List<ExchangeQueries.Traced> crossing = found.stream().filter(t -> t.entry().upstreamExchangeId() != null)
                .toList();
        out.printf("District halves (log of the bus in %s):%n", district);
        if (crossing.isEmpty()) {
            out.println("  no exchange of this record names an upstream exchange: none came from a district bus");
            return;
        }
        Map<String, ExchangeQueries.Traced> halves;
        try (AuditReader reader = connection.reader(district, null)) {
            halves = ExchangeQueries.byExchangeId(reader,
                    crossing.stream().map(t -> t.entry().upstreamExchangeId()).toList());
        }
        for (ExchangeQueries.Traced t : crossing) {
            var e = t.entry();
            out.printf("  exchange %s (%s -> %s, grant %s, %s, partition %d position %d)%n", e.exchangeId(),
                    e.provider(), e.consumer(), e.grantId(), Instant.ofEpochMilli(e.timeMillis()), t.partition(),
                    t.position());
            ExchangeQueries.Traced half = halves.get(e.upstreamExchangeId());
            if (half == null) {
                out.printf("    <- district exchange %s: NOT FOUND in the district's log (it names no exchange of"
                        + " that bus)%n", e.upstreamExchangeId());
                continue;
            }
            var d = half.entry();
            out.printf("    <- district exchange %s: resource %s, %s -> %s, grant %s, purpose %s, %s %s, delivered"
                            + " to %s, partition %d position %d%n", d.exchangeId(), d.resourceCode(), d.provider(),
                    d.consumer(), d.grantId(), d.purpose(), Instant.ofEpochMilli(d.timeMillis()), d.operation(),
                    d.deliveryTopic(), half.partition(), half.position());
        }
    }
}
