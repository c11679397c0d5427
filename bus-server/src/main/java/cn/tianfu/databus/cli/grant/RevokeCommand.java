package cn.tianfu.databus.cli.grant;

import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.ClientOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code databus revoke}: the provider revokes a grant, or the consumer gives it up. */
@Command(name = "revoke", mixinStandardHelpOptions = true,
        header = "Revoke a grant on a resource you provide, or give up one you receive; deliveries stop.")
public final class RevokeCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "GRANT-ID", description = "Id of the grant ('databus grants').")
    String grantId;

    @Option(names = "--reason", paramLabel = "TEXT", required = true, description = "Why; given to the other department.")
    String reason;

    @Override
    public Integer call() {
        return client.submit(governance -> governance.revoke(grantId, reason));
    }
}
