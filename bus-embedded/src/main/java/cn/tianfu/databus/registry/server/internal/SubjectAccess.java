package cn.tianfu.databus.registry.server.internal;

import cn.tianfu.databus.contract.Principals;
import java.util.Optional;

import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.auth.Authenticator.Caller;
import cn.tianfu.databus.contract.Topics;

/**
 * Which subjects a caller may see (list, read, look up, test against). The bus's principal sees every subject. A
 * department sees the subjects ({@code <topic>-value} / {@code <topic>-key}) of the topics its clients use: every
 * {@code src.} subject (governance registers one only for a resource it accepted into the catalog, which every department
 * reads), its own {@code dlv.<dept>.}, {@code cmd.<dept>} and {@code reply.<dept>}, and {@code bus.catalog} and
 * {@code bus.deadletter}. An auditor sees the exchange log's and its checkpoints'. Anything else, notably another
 * department's deliveries (which would tell who holds which grant with which fields), is answered as if it did not
 * exist. An expert sees its own {@code cmd.expert-<id>} and {@code reply.expert-<id>} only.
 */
public final class SubjectAccess {

    private SubjectAccess() {
    }

    /** Whether {@code caller} may see {@code subject}; a null caller is an open registry's anonymous caller (sees all). */
    public static boolean visible(Caller caller, String subject) {
        if (caller == null || caller.admin()) {
            return true;
        }
        Optional<String> topic = topicOf(subject);
        if (topic.isEmpty()) {
            return false;
        }
        String t = topic.get();
        String me = caller.name();
        if (me.startsWith(Principals.AUDITOR_PREFIX)) {
            return t.equals(Topics.EXCHANGE_LOG) || t.equals(Topics.EXCHANGE_LOG_CHECKPOINTS);
        }
        if (Principals.isExpert(me)) {
            return t.equals(Topics.commands(me)) || t.equals(Topics.replies(me));
        }
        return Topics.parseSource(t).isPresent()
                || Topics.parseDelivery(t).map(d -> d.department().equals(me)).orElse(false)
                || Topics.parseCommandSender(t).map(me::equals).orElse(false)
                || t.startsWith(Topics.REPLY_PREFIX) && t.substring(Topics.REPLY_PREFIX.length()).equals(me)
                || t.equals(Topics.CATALOG)
                || t.equals(Topics.CATALOG_HISTORY)
                || Topics.parseOpen(t).isPresent()
                || t.equals(Topics.DEADLETTER);
    }

    /** The topic of a subject named by the topic-name strategy; empty for any other name. */
    static Optional<String> topicOf(String subject) {
        if (subject == null) {
            return Optional.empty();
        }
        for (String suffix : new String[] {Subjects.VALUE_SUFFIX, Subjects.KEY_SUFFIX}) {
            if (subject.endsWith(suffix) && subject.length() > suffix.length()) {
                return Optional.of(subject.substring(0, subject.length() - suffix.length()));
            }
        }
        return Optional.empty();
    }
}
