package cn.tianfu.databus.cli.service;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.ClientOptions;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.sdk.ServiceClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code databus query}: one record of a resource as the department's SERVICE grant delivers it. */
@Command(name = "query", mixinStandardHelpOptions = true,
        header = "Ask the bus for one record of a resource under your SERVICE (or BOTH) grant: projected and masked as"
                + " the grant delivers it; every answer is logged.")
public final class QueryCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "RESOURCE", description = "The resource's code, e.g. 10101-000001.")
    String resource;

    @Parameters(index = "1", paramLabel = "KEY", description = "The record's key, e.g. an ID number.")
    String key;

    @Option(names = "--proof", paramLabel = "FILE",
            description = "Ask for a signed proof of the answer and write it (JWS) to FILE; check it with 'databus proof verify FILE'.")
    Path proof;

    @Override
    public Integer call() throws Exception {
        Output out = client.output();
        ServiceClient service = ServiceClient.create(client.clientConfig(), client.timeout());
        try {
            if (proof != null) {
                String jws = service.getWithProof(resource, key);
                Files.writeString(proof, jws + "\n");
            }
            Optional<ServiceClient.Answer> answer = service.get(resource, key);
            if (answer.isEmpty()) {
                if (out.isJson()) {
                    out.json(Map.of("found", false));
                }
                return out.fail("no current record of " + resource + " with this key under your grant");
            }
            ServiceClient.Answer a = answer.get();
            if (out.isJson()) {
                out.json(Map.of("resource", a.resource(), "grant", a.grant(), "exchangeId", a.exchangeId(),
                        "record", a.record()));
            } else {
                out.out().println("Record of " + a.resource() + " under grant " + a.grant() + " (exchange " + a.exchangeId() + "):");
                a.record().forEach((f, v) -> out.out().println("  " + f + ": " + v));
                if (proof != null) {
                    out.out().println("Proof written to " + proof);
                }
                out.out().flush();
            }
            return ExitCode.OK;
        } catch (ServiceClient.Refused e) {
            return out.fail("refused (HTTP " + e.status() + "): " + e.getMessage());
        }
    }
}
