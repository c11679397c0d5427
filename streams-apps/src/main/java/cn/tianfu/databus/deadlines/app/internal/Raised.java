package cn.tianfu.databus.deadlines.app.internal;

import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.Violation;

/** What the duty keeper raises; the topology puts each kind on its topic. */
public sealed interface Raised {

    /** A reminder on the duty holder's {@code reply.<dept>} (key: reminder id). */
    record Reminder(CommandResult reminder) implements Raised {
    }

    /** A violation on {@code bus.violations} (key: violation id). */
    record Breach(Violation violation) implements Raised {
    }

    /** A command of the bus to governance on {@code cmd.bus} (key: command id), e.g. marking a request overdue. */
    record Command(GovernanceCommand command) implements Raised {
    }
}
