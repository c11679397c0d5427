package cn.tianfu.databus.governance.client;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.common.KafkaException;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.kafka.KafkaErrors;

/**
 * A governance command could not be sent or answered: the bus is unreachable, the department's command or reply topic
 * is missing, or the client was closed. {@link #isRetriable()} tells whether trying again later may succeed.
 */
public class GovernanceException extends DatabusException {

    private final boolean retriable;

    public GovernanceException(String message, boolean retriable) {
        super(message);
        this.retriable = retriable;
    }

    public GovernanceException(String message, Throwable cause, boolean retriable) {
        super(message, cause);
        this.retriable = retriable;
    }

    /**
     * Runs one call of a Kafka client made as {@code principal} and turns its failure into a typed error: security and
     * timeout errors as {@link KafkaErrors#translate} says, any other Kafka failure a retriable GovernanceException,
     * anything else a GovernanceException that is not; unchecked errors of the bus pass as they are.
     *
     * @param action what the call does, for the message, e.g. "add department psb"
     */
    public static <T> T call(String principal, String action, Callable<T> step) {
        try {
            return step.call();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GovernanceException("interrupted while trying to " + action, e, true);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            RuntimeException typed = KafkaErrors.translate(cause, principal, action).orElse(null);
            if (typed != null) {
                throw typed;
            }
            throw new GovernanceException("cannot " + action + ": " + cause.getMessage(), cause, true);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new GovernanceException("cannot " + action + ": " + e.getMessage(), e, false);
        }
    }

    @Override
    public boolean isRetriable() {
        return retriable;
    }
}
