package cn.tianfu.databus.cli.violation;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.AuthorityOptions;
import cn.tianfu.databus.cli.common.Times;
import cn.tianfu.databus.schemas.ViolationActionKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code databus violation order|rectified|escalate}: the authority's steps on a violation (Art. 46): OPEN →
 * RECTIFICATION_ORDERED (责令限期整改) → RECTIFIED or ESCALATED. Each goes through governance (checked: the bus principal
 * only, the violation known, the step fitting its status), then the deadlines app records it on the violation.
 */
@Command(name = "violation", mixinStandardHelpOptions = true,
        header = "The authority orders a violation rectified within a deadline, records it rectified, or escalates it.",
        subcommands = {ViolationCommand.Order.class, ViolationCommand.Rectified.class, ViolationCommand.Escalate.class})
public final class ViolationCommand {

    private ViolationCommand() {
    }

    /** {@code databus violation order <id> --within <N | date> [--note]}. */
    @Command(name = "order", mixinStandardHelpOptions = true,
            header = "Order the department to rectify an OPEN violation within N working days or by a date (责令限期整改).")
    public static final class Order implements Callable<Integer> {

        @Mixin
        AuthorityOptions authority;

        @Parameters(paramLabel = "VIOLATION-ID", description = "Id of the violation ('databus violations').")
        String id;

        @Option(names = "--within", paramLabel = "N|DATE", required = true,
                description = "Working days from now (to the end of the last one, Asia/Shanghai), e.g. 10; or a date"
                        + " (rectify by the end of that day, Asia/Shanghai), e.g. 2026-12-31, or an ISO date-time with offset.")
        String within;

        @Option(names = "--note", paramLabel = "TEXT", description = "What is ordered; recorded in the violation's history.")
        String note;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String w = within.trim();
            if (w.matches("\\d{1,4}")) {
                int days = Integer.parseInt(w);
                return authority.submit(g -> g.orderRectification(id, days, Optional.ofNullable(note)));
            }
            Instant by;
            try {
                by = new Times.End().convert(w);
            } catch (TypeConversionException e) {
                throw new ParameterException(spec.commandLine(), "--within '" + within + "' is neither a number of working"
                        + " days nor a date: " + e.getMessage());
            }
            return authority.submit(g -> g.orderRectification(id, by, Optional.ofNullable(note)));
        }
    }

    /** A closing step on one violation: its id and a note for its history. */
    abstract static class Close implements Callable<Integer> {

        @Mixin
        AuthorityOptions authority;

        @Parameters(paramLabel = "VIOLATION-ID", description = "Id of the violation.")
        String id;

        @Option(names = "--note", paramLabel = "TEXT", description = "What was found, why, and to whom; recorded in the violation's history.")
        String note;

        abstract ViolationActionKind kind();

        @Override
        public Integer call() {
            return authority.submit(g -> g.closeViolation(id, kind(), Optional.ofNullable(note)));
        }
    }

    /** {@code databus violation rectified <id> [--note]}. */
    @Command(name = "rectified", mixinStandardHelpOptions = true,
            header = "Record that the department rectified a violation whose rectification was ordered.")
    public static final class Rectified extends Close {
        @Override
        ViolationActionKind kind() {
            return ViolationActionKind.RECTIFIED;
        }
    }

    /** {@code databus violation escalate <id> [--note]}. */
    @Command(name = "escalate", mixinStandardHelpOptions = true,
            header = "Escalate a violation whose ordered rectification was not done (refer it on).")
    public static final class Escalate extends Close {
        @Override
        ViolationActionKind kind() {
            return ViolationActionKind.ESCALATE;
        }
    }
}
