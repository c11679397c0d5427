package cn.tianfu.databus.cli.service;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.service.ProofStatement;
import cn.tianfu.databus.service.Proofs;
import cn.tianfu.databus.service.ServiceException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code databus proof}: signed proofs of the service exchange. */
@Command(name = "proof", mixinStandardHelpOptions = true, header = "Check signed proofs of the service exchange offline.",
        subcommands = ProofCommand.Verify.class)
public final class ProofCommand {

    /** {@code databus proof verify FILE}: checks a proof with the bus's published key, offline. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            header = "Check a proof (a JWS from 'databus verify' or 'databus query --proof') with the bus's public key:"
                    + " exit 0 and what it states when it verifies, exit 1 when it does not.")
    public static final class Verify implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The proof: a file holding the JWS compact serialization.")
        Path file;

        @Option(names = "--key", paramLabel = "JWKS-OR-PEM",
                description = "The bus's public key: a JWK set file (keys/" + BusRuntime.SERVICE_JWKS_FILE + "), a PEM"
                        + " public key file, or the URL of the bus's JWK set (http://HOST:PORT/api/v1/keys). Default: the key of the bus in"
                        + " --data-dir.")
        String key;

        @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory of the bus whose key to use (default: data).")
        Path dataDir;

        @Option(names = "--json", description = "Print what the proof states as JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Output out = Output.of(spec, json);
            String jws = Files.readString(file).trim();
            ProofStatement s;
            try {
                s = Proofs.verify(jws, keys());
            } catch (ServiceException e) {
                return out.fail("INVALID: " + e.getMessage());
            }
            if (json) {
                Map<String, Object> j = new LinkedHashMap<>(s.toPayload());
                j.put("valid", true);
                out.json(j);
            } else {
                out.out().println("VALID: signed by " + s.issuer() + " at " + Instant.ofEpochSecond(s.issuedAt()));
                out.out().println("  " + s.kind() + " of " + s.resource() + " (provider " + s.provider() + ") by "
                        + s.consumer() + " under grant " + s.grant() + ", purpose: " + s.purpose());
                out.out().println("  exchange " + s.exchangeId() + ", key hash " + s.keyHash());
                if (s.results() != null) {
                    s.results().forEach((f, r) -> out.out().println("  " + f + " = " + s.claims().get(f) + ": "
                            + (r ? "TRUE" : "FALSE")));
                }
                if (s.recordDigest() != null) {
                    out.out().println("  " + (Boolean.TRUE.equals(s.found()) ? "record answered, digest " : "no record, digest ")
                            + s.recordDigest());
                }
                out.out().flush();
            }
            return ExitCode.OK;
        }

        private List<java.security.PublicKey> keys() throws IOException, InterruptedException {
            if (key != null && (key.startsWith("http://") || key.startsWith("https://"))) {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(key))
                        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (r.statusCode() != 200) {
                    throw new IOException(key + " answered HTTP " + r.statusCode());
                }
                return Proofs.parseKeys(r.body());
            }
            Path file = key != null ? Path.of(key)
                    : (dataDir == null ? Path.of("data") : dataDir).resolve("keys").resolve(BusRuntime.SERVICE_JWKS_FILE);
            if (!Files.exists(file)) {
                throw new IOException("no public key at " + file + ": give --key (the bus's JWK set or PEM public key)");
            }
            return Proofs.parseKeys(Files.readString(file));
        }
    }
}
