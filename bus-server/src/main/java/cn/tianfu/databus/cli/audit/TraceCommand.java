package cn.tianfu.databus.cli.audit;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
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

/** {@code databus audit trace}: who received record K of resource R, when, under which grant and purpose. */
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
        out.flush();
        return ExitCode.OK;
    }
}
