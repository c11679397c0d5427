package cn.tianfu.databus.cli.dispute;

import java.util.Optional;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.ClientOptions;
import cn.tianfu.databus.schemas.DisputeAction;
import cn.tianfu.databus.schemas.DisputeSubject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code databus dispute}: the steps of a dispute (异议, Art. 28), each a governance command in the sender's name: the
 * departments open, write, settle and escalate; the authority ({@code --as bus}) refers and decides; the expert
 * ({@code --config} of its client file) gives its opinion.
 */
@Command(name = "dispute", mixinStandardHelpOptions = true,
        header = "Open and carry a dispute (Art. 28): negotiate, settle, escalate; the authority refers and decides, the expert gives an opinion.",
        subcommands = {DisputeCommand.Open.class, DisputeCommand.Message.class, DisputeCommand.Settle.class,
                DisputeCommand.Escalate.class, DisputeCommand.Refer.class, DisputeCommand.Opinion.class,
                DisputeCommand.Decide.class})
public final class DisputeCommand {

    /** {@code databus dispute open}. */
    @Command(name = "open", mixinStandardHelpOptions = true,
            header = "Open a dispute about a refused request, a report's answer or a grant (the use of data).")
    public static final class Open implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--about", required = true, paramLabel = "KIND:ID",
                description = "request:<request-id> (a refusal), report:<report-id> (an answer) or grant:<grant-id> (use of data).")
        String about;

        @Option(names = "--statement", required = true, paramLabel = "TEXT", description = "What is disputed and why.")
        String statement;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            int colon = about.indexOf(':');
            DisputeSubject subject = null;
            if (colon > 0) {
                subject = switch (about.substring(0, colon)) {
                    case "request" -> DisputeSubject.REQUEST;
                    case "report" -> DisputeSubject.REPORT;
                    case "grant" -> DisputeSubject.GRANT;
                    default -> null;
                };
            }
            if (subject == null || colon == about.length() - 1) {
                throw new ParameterException(spec.commandLine(), "--about '" + about + "' is not request:<id>, report:<id> or grant:<id>");
            }
            DisputeSubject s = subject;
            return client.submit(g -> g.openDispute(s, about.substring(colon + 1), statement));
        }
    }

    /**
     * One step in a dispute ({@link DisputeAction}): the dispute's id, and what the step carries (a text, an expert);
     * governance checks who may take it in which status.
     */
    abstract static class Step implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "DISPUTE-ID")
        String id;

        abstract DisputeAction action();

        Optional<String> text() {
            return Optional.empty();
        }

        Optional<String> expert() {
            return Optional.empty();
        }

        @Override
        public Integer call() {
            return client.submit(g -> g.disputeStep(id, action(), text(), expert()));
        }
    }

    /** {@code databus dispute message}. */
    @Command(name = "message", mixinStandardHelpOptions = true, header = "Write in a dispute you are party to (while NEGOTIATING).")
    public static final class Message extends Step {
        @Option(names = "--text", required = true, paramLabel = "TEXT")
        String text;

        @Override
        DisputeAction action() {
            return DisputeAction.MESSAGE;
        }

        @Override
        Optional<String> text() {
            return Optional.of(text);
        }
    }

    /** {@code databus dispute settle} (or {@code withdraw}). */
    @Command(name = "settle", aliases = "withdraw", mixinStandardHelpOptions = true,
            header = "Settle or withdraw a dispute you are party to (while NEGOTIATING); it is closed SETTLED.")
    public static final class Settle extends Step {
        @Option(names = "--text", paramLabel = "TEXT", description = "How it was settled.")
        String text;

        @Override
        DisputeAction action() {
            return DisputeAction.SETTLE;
        }

        @Override
        Optional<String> text() {
            return Optional.ofNullable(text);
        }
    }

    /** {@code databus dispute escalate}. */
    @Command(name = "escalate", mixinStandardHelpOptions = true,
            header = "Escalate a dispute you are party to to the authority (negotiation failed).")
    public static final class Escalate extends Step {
        @Option(names = "--text", paramLabel = "TEXT", description = "Why negotiation failed.")
        String text;

        @Override
        DisputeAction action() {
            return DisputeAction.ESCALATE;
        }

        @Override
        Optional<String> text() {
            return Optional.ofNullable(text);
        }
    }

    /** {@code databus dispute refer}. */
    @Command(name = "refer", mixinStandardHelpOptions = true,
            header = "The authority (--as bus) refers an escalated dispute to an expert of the expert committee.")
    public static final class Refer extends Step {
        @Option(names = "--expert", required = true, paramLabel = "EXPERT-ID", description = "The expert ('databus expert list').")
        String expert;

        @Override
        DisputeAction action() {
            return DisputeAction.REFER;
        }

        @Override
        Optional<String> expert() {
            return Optional.of(expert);
        }
    }

    /** {@code databus dispute opinion}. */
    @Command(name = "opinion", mixinStandardHelpOptions = true,
            header = "The expert a dispute was referred to records its opinion (run with the expert's client config).")
    public static final class Opinion extends Step {
        @Option(names = "--text", required = true, paramLabel = "TEXT")
        String text;

        @Override
        DisputeAction action() {
            return DisputeAction.OPINION;
        }

        @Override
        Optional<String> text() {
            return Optional.of(text);
        }
    }

    /** {@code databus dispute decide}. */
    @Command(name = "decide", mixinStandardHelpOptions = true,
            header = "The authority (--as bus) decides an escalated or referred dispute; it is closed DECIDED.")
    public static final class Decide extends Step {
        @Option(names = "--decision", required = true, paramLabel = "TEXT")
        String decision;

        @Override
        DisputeAction action() {
            return DisputeAction.DECIDE;
        }

        @Override
        Optional<String> text() {
            return Optional.of(decision);
        }
    }
}
