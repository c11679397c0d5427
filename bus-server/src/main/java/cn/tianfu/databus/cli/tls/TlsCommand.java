package cn.tianfu.databus.cli.tls;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.UsesClock;
import cn.tianfu.databus.tls.ServerTls;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code databus tls}: the bus's certificate authority and server certificate, outside a running bus. */
@Command(name = "tls", mixinStandardHelpOptions = true,
        header = "The bus's certificate authority and server certificate, for a deployment whose brokers and nodes share them.",
        subcommands = {TlsCommand.Init.class})
public final class TlsCommand {

    /** {@code databus tls init}: what the first start with TLS makes, made ahead for several machines. */
    @Command(name = "init", mixinStandardHelpOptions = true,
            header = "Create (or reuse) the bus's CA and a server certificate for the given names in <data-dir>/tls/, as the"
                    + " first start with TLS does: ca.crt, ca.key, server.crt, server.key (keys mode 600). For brokers and"
                    + " bus nodes that share one CA, which then signs department certificates (dept add --cert --ca-dir).")
    public static final class Init implements Callable<Integer>, UsesClock {

        @Spec
        CommandSpec spec;

        @Option(names = "--data-dir", paramLabel = "DIR", required = true, description = "Where tls/ is created.")
        Path dataDir;

        @Option(names = "--name", paramLabel = "HOST", required = true,
                description = "A host name or address the server certificate names (repeat for each).")
        List<String> names;

        private InstantSource clock = InstantSource.system();

        @Override
        public void clock(InstantSource clock) {
            this.clock = clock;
        }

        @Override
        public Integer call() {
            ServerTls tls = ServerTls.loadOrCreate(dataDir, names, clock);
            spec.commandLine().getOut().printf("CA and server certificate in %s: %s, for %s%n", dataDir.resolve(ServerTls.DIR),
                    tls.certificate().getSubjectX500Principal().getName(), String.join(", ", names));
            spec.commandLine().getOut().flush();
            return ExitCode.OK;
        }
    }
}
