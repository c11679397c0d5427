package cn.tianfu.databus.kafka;

import cn.tianfu.databus.security.BusAuthenticationException;
import cn.tianfu.databus.security.BusAuthorizationException;
import cn.tianfu.databus.security.BusUnreachableException;
import java.util.Optional;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;

/**
 * Turns the Kafka client's security and timeout errors into the bus's typed errors, with a message that says what to do.
 *
 * <pre>{@code
 * try { consumer.poll(...); }
 * catch (KafkaException e) { throw KafkaErrors.translate(e, "psb", "read reply.psb").orElseThrow(() -> e); }
 * }</pre>
 */
public final class KafkaErrors {

    private KafkaErrors() {
    }

    /**
     * The typed error for {@code e} (or one of its causes), if it is an authentication, authorization or timeout error.
     *
     * @param principal who the client acts as (for the message), may be null
     * @param action    what the client tried, e.g. "read dlv.psb.population"
     */
    public static Optional<RuntimeException> translate(Throwable e, String principal, String action) {
        String who = principal == null ? "this client" : "'" + principal + "'";
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthenticationException) {
                return Optional.of(new BusAuthenticationException("the bus refused the credentials of " + who + " ("
                        + t.getMessage() + "): check sasl.username and sasl.password in the client config; a department's"
                        + " current password is in the file 'databus dept add' or 'databus dept rotate-password' wrote", t));
            }
            if (t instanceof TopicAuthorizationException ta) {
                return Optional.of(new BusAuthorizationException(who + " may not " + action + " (no ACL for topics "
                        + ta.unauthorizedTopics() + "): a department reads only dlv.<dept>.* and reply.<dept>, and writes only"
                        + " src.<dept>.* and cmd.<dept>; check department.id and sasl.username", t));
            }
            if (t instanceof GroupAuthorizationException ga) {
                return Optional.of(new BusAuthorizationException(who + " may not use consumer group '" + ga.groupId()
                        + "': a department's groups must start with '<dept>.'", t));
            }
            if (t instanceof TransactionalIdAuthorizationException || t instanceof ClusterAuthorizationException) {
                return Optional.of(new BusAuthorizationException(who + " may not " + action + ": " + t.getMessage(), t));
            }
            if (t instanceof org.apache.kafka.common.errors.AuthorizationException) {
                return Optional.of(new BusAuthorizationException(who + " may not " + action + ": " + t.getMessage(), t));
            }
            if (t instanceof TimeoutException || t instanceof java.util.concurrent.TimeoutException) {
                return Optional.of(new BusUnreachableException("the bus did not answer while trying to " + action + " ("
                        + t.getMessage() + "): is it running, and are bootstrap.servers and security.protocol right?", t));
            }
        }
        return Optional.empty();
    }

    /** {@link #translate} or, when {@code e} is none of those errors, {@code e} itself (wrapped if checked). */
    public static RuntimeException translateOr(Throwable e, String principal, String action) {
        return translate(e, principal, action).orElseGet(() -> e instanceof RuntimeException r ? r
                : new cn.tianfu.databus.DatabusException("cannot " + action + ": " + e.getMessage(), e));
    }
}
