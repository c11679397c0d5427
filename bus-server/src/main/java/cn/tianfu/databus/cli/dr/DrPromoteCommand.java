package cn.tianfu.databus.cli.dr;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.audit.VerificationReport;
import cn.tianfu.databus.broker.BusCredentials;
import cn.tianfu.databus.cli.bus.ServeCommand;
import cn.tianfu.databus.cli.common.ClockedCommand;
import cn.tianfu.databus.dr.Promotion;
import cn.tianfu.databus.ledger.PublicKeys;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code databus dr promote}: checks that the disaster-recovery cluster can take over (its bus principal prepared by
 * {@code init}, the bus's keys present, the replicated exchange log verifying up to its last signed checkpoints) and
 * says how the bus starts there. With {@code --serve} it then prepares the ledger to continue the replicated chains
 * ({@link Promotion#prepareLedger}) and runs the bus there as {@code databus serve} does, until Ctrl-C.
 */
@Command(name = "promote", mixinStandardHelpOptions = true,
        header = "Verify the replicated exchange log on the disaster-recovery cluster and show how the bus serves there.",
        footer = {"", "Exit codes: 0 ready to serve (with --serve: the bus stopped), 1 the log does not verify or the cluster is not prepared."})
public final class DrPromoteCommand extends ClockedCommand {

    @Option(names = "--dr", required = true, paramLabel = "FILE", description = "Kafka client config of an administrator of the disaster-recovery cluster.")
    Path dr;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = "The data directory 'databus init' prepared for the disaster-recovery cluster, holding a copy of the primary's keys/.")
    Path dataDir;

    @Option(names = "--public-key", paramLabel = "PEM", description = "The bus's published key (default: DIR/keys/exchange-log.pub.pem).")
    Path publicKey;

    @Option(names = "--serve", description = "After READY: prepare the ledger to continue the replicated chains and run the bus"
            + " on the disaster-recovery cluster (as 'databus serve --config FILE'), until Ctrl-C.")
    boolean serve;

    @Option(names = "--config", paramLabel = "FILE", description = "With --serve: the bus node's config, as 'databus serve' takes it,"
            + " with kafka.bootstrap.servers naming the disaster-recovery cluster and data.dir the --data-dir.")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Object> drProps = DrCommand.clientFile(dr);
        Path dir = dataDir.toAbsolutePath();
        String problem = prepared(dr, dir);
        if (problem != null) {
            err.println(problem);
            err.flush();
            return ExitCode.SOFTWARE;
        }
        ServerConfig node = null;
        if (serve) {
            if (config == null) {
                err.println("--serve needs --config FILE: the config of the bus node to run on the disaster-recovery cluster");
                err.flush();
                return ExitCode.USAGE;
            }
            node = ServeCommand.load(config);
            if (!node.dataDir().toAbsolutePath().normalize().equals(dir.normalize())) {
                err.println(config + " has data.dir=" + node.dataDir() + ", not the --data-dir " + dir
                        + " prepared for the disaster-recovery cluster");
                err.flush();
                return ExitCode.USAGE;
            }
        }
        PublicKey key = readKey(publicKey != null ? publicKey : SigningKeys.publicPemFile(dir));
        VerificationReport report = Promotion.verify(drProps, key);
        out.print(Promotion.describe(report));
        if (!report.intact()) {
            out.println("NOT READY: the replicated log does not verify; do not serve on it before an auditor has looked"
                    + " ('databus audit verify' on the copy shows the same).");
            out.flush();
            return ExitCode.SOFTWARE;
        }
        if (serve) {
            out.println("READY. Preparing the ledger to continue the replicated chains:");
            List<Promotion.LedgerResume> resumed = Promotion.prepareLedger(drProps, report);
            resumed.forEach(out::println);
            out.println("Serving on " + node.externalBootstrapServers().orElse("") + " (the departments need client files naming it:"
                    + " docs/dr.md, promotion).");
            out.flush();
            return ServeCommand.serve(node, clock(), spec);
        }
        out.println("READY. Stop 'databus dr start', then start the bus on the disaster-recovery cluster with");
        out.println("  databus dr promote --dr " + dr + " --data-dir " + dir + " --serve --config node.properties");
        out.println("(node.properties with kafka.bootstrap.servers=" + drProps.get("bootstrap.servers") + " and data.dir=" + dir
                + "): it sets the ledger's chain heads to the replicated log's tail, then runs 'databus serve' with that config.");
        out.println("Hand the departments client files naming the cluster (docs/dr.md: promotion).");
        out.flush();
        return ExitCode.OK;
    }

    /** Why the data directory {@code dir} cannot serve on the cluster of {@code clusterFile}, or null when it can. */
    static String prepared(Path clusterFile, Path dir) {
        if (!Files.exists(BusCredentials.file(dir))) {
            return "no bus principal for the cluster in " + dir + ": run 'databus init --config " + clusterFile
                    + " --data-dir " + dir + "' first";
        }
        Path keys = SigningKeys.publicPemFile(dir).getParent();
        if (!Files.exists(keys.resolve(SigningKeys.PRIVATE_KEY_FILE)) || !Files.exists(keys.resolve(cn.tianfu.databus.ledger.KeyHasher.SECRET_FILE))) {
            return "the bus's keys are missing in " + keys + ": copy the primary's keys/ directory there (mode 700);"
                    + " with new keys the bus could neither sign on the chain nor hash keys as the log does";
        }
        return null;
    }

    private static PublicKey readKey(Path file) {
        try {
            return PublicKeys.fromPem(Files.readString(file));
        } catch (IOException e) {
            throw new DatabusException("cannot read the public key " + file + ": " + e.getMessage());
        }
    }
}
