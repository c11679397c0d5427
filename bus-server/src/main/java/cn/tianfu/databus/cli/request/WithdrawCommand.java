package cn.tianfu.databus.cli.request;

import java.util.Optional;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.ClientOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code databus withdraw}: the requester withdraws a pending request. */
@Command(name = "withdraw", mixinStandardHelpOptions = true, header = "Withdraw one of your pending requests.")
public final class WithdrawCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "REQUEST-ID", description = "Id of your pending request ('databus requests --mine').")
    String requestId;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why it is withdrawn.")
    String reason;

    @Override
    public Integer call() {
        return client.submit(governance -> governance.withdraw(requestId, Optional.ofNullable(reason)));
    }
}
