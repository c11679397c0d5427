package cn.tianfu.databus.contract;

import java.util.Set;

/**
 * The names of the bus's principals: the bus's own services, departments and auditors. The ACL policy built on them is
 * operator tooling ({@code department.AccessPolicy}); the broker's authorizer and the registry read these names.
 */
public final class Principals {

    /** Principal name of the bus's own services (a super user). */
    public static final String BUS_PRINCIPAL = "bus";
    /** Prefix of auditors' principal names: {@code auditor-<id>}. */
    public static final String AUDITOR_PREFIX = "auditor-";
    /** Prefix of experts' principal names (the expert committee, 专家咨询委员会): {@code expert-<id>}. */
    public static final String EXPERT_PREFIX = "expert-";
    /** Names no department may take: the bus's own principals. */
    public static final Set<String> RESERVED = Set.of(BUS_PRINCIPAL, "controller", "admin", "anonymous",
            "public");

    private Principals() {
    }

    /** {@code User:<name>}. */
    public static String principal(String name) {
        return "User:" + name;
    }

    /** The auditor's principal name, {@code auditor-<id>}. */
    public static String auditorPrincipal(String auditorId) {
        return AUDITOR_PREFIX + checkAuditor(auditorId);
    }

    /** Checks an auditor id: the same form as a department id, at most 24 characters. */
    public static String checkAuditor(String auditorId) {
        if (auditorId == null || !auditorId.matches("[a-z][a-z0-9-]{1,23}")) {
            throw new IllegalArgumentException("auditor id '" + auditorId
                    + "' is invalid: use 2-24 characters, lower-case letters, digits and '-', starting with a letter");
        }
        return auditorId;
    }

    /** The expert's principal name, {@code expert-<id>}. */
    public static String expertPrincipal(String expertId) {
        return EXPERT_PREFIX + checkExpert(expertId);
    }

    /** Checks an expert id: the same form as a department id, at most 24 characters. */
    public static String checkExpert(String expertId) {
        if (expertId == null || !expertId.matches("[a-z][a-z0-9-]{1,23}")) {
            throw new IllegalArgumentException("expert id '" + expertId
                    + "' is invalid: use 2-24 characters, lower-case letters, digits and '-', starting with a letter");
        }
        return expertId;
    }

    /** Whether a principal (or command sender) name is an expert's, {@code expert-<id>}. */
    public static boolean isExpert(String name) {
        return name != null && name.startsWith(EXPERT_PREFIX);
    }

    /**
     * Checks that {@code id} may name a department: valid, not reserved, not an auditor's principal.
     *
     * @throws IllegalArgumentException saying why not
     */
    public static String checkDepartmentId(String id) {
        Topics.checkDepartment(id);
        if (RESERVED.contains(id)) {
            throw new IllegalArgumentException("department id '" + id + "' is reserved for the bus itself; choose another");
        }
        if (id.startsWith(AUDITOR_PREFIX)) {
            throw new IllegalArgumentException("department id '" + id + "' starts with '" + AUDITOR_PREFIX
                    + "', which names auditors; choose another");
        }
        if (id.startsWith(EXPERT_PREFIX)) {
            throw new IllegalArgumentException("department id '" + id + "' starts with '" + EXPERT_PREFIX
                    + "', which names experts; choose another");
        }
        return id;
    }

}
