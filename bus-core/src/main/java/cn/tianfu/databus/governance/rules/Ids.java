package cn.tianfu.databus.governance.rules;

import java.util.Optional;
import java.util.regex.Pattern;

import cn.tianfu.databus.contract.Topics;

/**
 * The ids governance assigns: {@code <resourceCode>.R<n>} for the n-th access request on a resource,
 * {@code <resourceCode>.G<n>} for the grant that answers request n, {@code <resourceCode>.E<n>} for the n-th error
 * report and {@code <resourceCode>.D<n>} for the n-th dispute about it. Resource codes contain no dot, so the code is
 * everything before the last dot, and a command naming a request or grant can be routed to its resource's partition.
 */
public final class Ids {

    private static final Pattern ID = Pattern.compile("(" + Topics.RESOURCE_CODE.pattern() + ")\\.([RGED])([1-9][0-9]{0,9})");

    private Ids() {
    }

    public static String request(String code, long n) {
        return code + ".R" + n;
    }

    public static String grant(String code, long n) {
        return code + ".G" + n;
    }

    public static String report(String code, long n) {
        return code + ".E" + n;
    }

    public static String dispute(String code, long n) {
        return code + ".D" + n;
    }

    /** Prefix of every error report id of a resource. */
    public static String reportPrefix(String code) {
        return code + ".E";
    }

    /** Prefix of every dispute id of a resource. */
    public static String disputePrefix(String code) {
        return code + ".D";
    }

    /** The resource code in an error report id; empty when it is not one. */
    public static Optional<String> resourceOfReport(String id) {
        return resourceOf(id, "E");
    }

    /** The resource code in a dispute id; empty when it is not one. */
    public static Optional<String> resourceOfDispute(String id) {
        return resourceOf(id, "D");
    }

    /** The grant id answering a request id. */
    public static String grantFor(String requestId) {
        int dot = requestId.lastIndexOf('.');
        return requestId.substring(0, dot) + ".G" + requestId.substring(dot + 2);
    }

    /** Prefix of every request id of a resource (for prefix scans). */
    public static String requestPrefix(String code) {
        return code + ".R";
    }

    /** Prefix of every grant id of a resource. */
    public static String grantPrefix(String code) {
        return code + ".G";
    }

    /** The resource code in a request id; empty when it is not one. */
    public static Optional<String> resourceOfRequest(String id) {
        return resourceOf(id, "R");
    }

    /** The resource code in a grant id; empty when it is not one. */
    public static Optional<String> resourceOfGrant(String id) {
        return resourceOf(id, "G");
    }

    private static Optional<String> resourceOf(String id, String kind) {
        if (id == null) {
            return Optional.empty();
        }
        var m = ID.matcher(id);
        return m.matches() && m.group(2).equals(kind) ? Optional.of(m.group(1)) : Optional.empty();
    }
}
