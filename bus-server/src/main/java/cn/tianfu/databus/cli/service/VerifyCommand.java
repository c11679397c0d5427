package cn.tianfu.databus.cli.service;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.ClientOptions;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.sdk.ServiceClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code databus verify}: whether claims about one record hold, with a signed proof. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        header = "Ask the bus whether claims about one record hold under your SERVICE (or BOTH) grant: true or false per"
                + " claim, never the values, with a signed proof.")
public final class VerifyCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RESOURCE", description = "The resource's code, e.g. 10101-000001.")
    String resource;

    @Parameters(index = "1", paramLabel = "KEY", description = "The record's key, e.g. an ID number.")
    String key;

    @Parameters(index = "2..*", arity = "1..*", paramLabel = "FIELD=VALUE",
            description = "Claims: a field the grant delivers in clear and the value you believe it holds; numbers,"
                    + " true/false and null are taken as such, anything else as text (quote with \"...\" to force text).")
    List<String> claims;

    @Option(names = "--proof", paramLabel = "FILE", description = "Write the signed proof (JWS) to FILE.")
    Path proof;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> parsed = new LinkedHashMap<>();
        for (String c : claims) {
            int eq = c.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(spec.commandLine(), "a claim is FIELD=VALUE, got '" + c + "'");
            }
            parsed.put(c.substring(0, eq), value(c.substring(eq + 1)));
        }
        Output out = client.output();
        try {
            ServiceClient.Verification v = ServiceClient.create(client.clientConfig(), client.timeout())
                    .verify(resource, key, parsed);
            if (proof != null) {
                Files.writeString(proof, v.proof() + "\n");
            }
            if (out.isJson()) {
                out.json(Map.of("resource", v.resource(), "grant", v.grant(), "exchangeId", v.exchangeId(),
                        "results", v.results(), "proof", v.proof()));
            } else {
                out.out().println("Verified against " + v.resource() + " under grant " + v.grant() + " (exchange "
                        + v.exchangeId() + "):");
                v.results().forEach((f, r) -> out.out().println("  " + f + ": " + (r ? "TRUE" : "FALSE")));
                out.out().println(proof != null ? "Proof written to " + proof : "Proof: " + v.proof());
                out.out().flush();
            }
            return ExitCode.OK;
        } catch (ServiceClient.Refused e) {
            return out.fail("refused (HTTP " + e.status() + "): " + e.getMessage());
        }
    }

    /** A claim's value: a number, true/false, null, or text. */
    static Object value(String text) {
        if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
            return text.substring(1, text.length() - 1);
        }
        if (text.equals("true") || text.equals("false")) {
            return Boolean.valueOf(text);
        }
        if (text.equals("null")) {
            return null;
        }
        if (text.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?")) {
            return new BigDecimal(text);
        }
        return text;
    }
}
