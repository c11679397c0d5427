package cn.tianfu.databus.cli.transparency;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.audit.AuditException;
import cn.tianfu.databus.audit.InclusionProof;
import cn.tianfu.databus.ledger.PublicKeys;
import cn.tianfu.databus.ledger.SigningKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code databus transparency}: a person's exchanges and their proofs. */
@Command(name = "transparency", mixinStandardHelpOptions = true,
        header = "Check the proofs the bus gives a person with their exchanges (GET /api/v1/transparency/my-exchanges).",
        subcommands = TransparencyCommand.Verify.class)
public final class TransparencyCommand {

    /** {@code databus transparency verify FILE}: checks every inclusion proof of a saved answer (or one proof) offline. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            header = "Verify offline that each exchange of a saved my-exchanges answer (or a single proof) is in the"
                    + " exchange log under a checkpoint signed with the bus's key.",
            footer = {"", "Exit codes: 0 every proof verifies, 1 a proof fails or an exchange has none yet, 2 usage."})
    public static final class Verify implements Callable<Integer> {

        @Parameters(paramLabel = "FILE", description = "The saved JSON answer of my-exchanges, or one proof.")
        Path file;

        @Option(names = "--public-key", paramLabel = "PEM", description = "The bus's published checkpoint key"
                + " (exchange-log.pub.pem); default: <data-dir>/keys/exchange-log.pub.pem.")
        Path publicKey;

        @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data", description = "The bus's data"
                + " directory, for the default key (default: ${DEFAULT-VALUE}).")
        Path dataDir;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Path pem = publicKey != null ? publicKey : SigningKeys.publicPemFile(dataDir);
            PublicKey key = PublicKeys.fromPem(Files.readString(pem, StandardCharsets.UTF_8));
            JsonNode root = new ObjectMapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
            List<JsonNode> items = new ArrayList<>();
            if (root.has("exchanges")) {
                root.get("exchanges").forEach(items::add);
            } else {
                items.add(root);
            }
            int ok = 0;
            int failed = 0;
            for (JsonNode item : items) {
                JsonNode proofJson = item.has("segment") ? item : item.get("proof");
                String what = item.has("exchangeId") ? item.get("exchangeId").asText()
                        : proofJson == null ? "?" : proofJson.path("entry").path("exchangeId").asText();
                if (proofJson == null || proofJson.isNull()) {
                    spec.commandLine().getOut().println("PENDING  " + what + ": no signed checkpoint covers it yet");
                    failed++;
                    continue;
                }
                try {
                    InclusionProof proof = InclusionProof.fromJson(proofJson);
                    proof.verify(key);
                    spec.commandLine().getOut().printf("OK       %s  %s  %s -> %s  %s%s  (checkpoint %d/%d, %s)%n",
                            what, Instant.ofEpochMilli(proof.entry().timeMillis()), proof.entry().provider(),
                            proof.entry().consumer(), proof.entry().operation(),
                            proof.entry().retractReason() == null ? "" : " " + proof.entry().retractReason(),
                            proof.partition(), proof.checkpoint().offset(),
                            Instant.ofEpochMilli(proof.checkpoint().timeMillis()));
                    ok++;
                } catch (AuditException e) {
                    spec.commandLine().getOut().println("FAILED   " + what + ": " + e.getMessage());
                    failed++;
                }
            }
            spec.commandLine().getOut().println(ok + " proof(s) verified, " + failed + " not");
            return failed == 0 && ok > 0 ? ExitCode.OK : 1;
        }
    }
}
