package cn.tianfu.databus.governance.client;

import java.time.Duration;

/**
 * No reply to a governance command arrived in time. The command may still be processed later (governance answers a
 * resent command with the same id as {@code DUPLICATE}); retriable.
 */
public final class GovernanceTimeoutException extends GovernanceException {

    private final String commandId;
    private final Duration timeout;

    public GovernanceTimeoutException(String commandId, String replyTopic, Duration timeout) {
        super("no reply to command " + commandId + " on " + replyTopic + " within " + format(timeout)
                + ": governance may be down or busy; check the bus ('databus up' log) and try again", true);
        this.commandId = commandId;
        this.timeout = timeout;
    }

    /** Id of the command left without reply. */
    public String commandId() {
        return commandId;
    }

    /** How long the client waited. */
    public Duration timeout() {
        return timeout;
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
