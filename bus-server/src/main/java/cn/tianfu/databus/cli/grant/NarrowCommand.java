package cn.tianfu.databus.cli.grant;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.ClientOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code databus narrow}: the provider narrows an active grant; what the consumer holds outside it is withdrawn. */
@Command(name = "narrow", mixinStandardHelpOptions = true,
        header = "Narrow a grant on a resource you provide (fewer fields, fewer rows, fewer in clear); the rest is withdrawn.")
public final class NarrowCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "GRANT-ID", description = "Id of the grant ('databus grants --provider').")
    String grantId;

    @Option(names = "--fields", paramLabel = "ITEM", split = ",",
            description = "The data items allowed from now on: a subset of those allowed now, with the key fields.")
    List<String> fields;

    @Option(names = "--filter", paramLabel = "EXPR",
            description = "CEL row filter records must also satisfy from now on (joined to the grant's filter with &&).")
    String filter;

    @Option(names = "--clear", paramLabel = "ITEM", split = ",",
            description = "The personal items left unmasked from now on: a subset of those in clear now.")
    List<String> clear;

    @Option(names = "--reason", paramLabel = "TEXT", required = true, description = "Why the grant is narrowed.")
    String reason;

    @Override
    public Integer call() {
        if (fields == null && filter == null && clear == null) {
            throw new ParameterException(spec.commandLine(), "narrow needs --fields, --filter or --clear");
        }
        return client.submit(governance -> governance.narrow(grantId, Optional.ofNullable(fields), Optional.ofNullable(filter),
                Optional.ofNullable(clear), reason));
    }
}
