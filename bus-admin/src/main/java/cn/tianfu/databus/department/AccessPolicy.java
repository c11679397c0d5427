package cn.tianfu.databus.department;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import cn.tianfu.databus.contract.Principals;
import cn.tianfu.databus.contract.Topics;

/**
 * The bus's whole access policy as Kafka ACLs, one list per principal. The broker denies whatever no ACL allows; the
 * bus's own principal ({@code User:bus}) is a super user and needs none.
 *
 * <table>
 * <caption>A department {@code User:<dept>}</caption>
 * <tr><td>topics with prefix {@code src.<dept>.}</td><td>WRITE, READ, DESCRIBE (its resources; READ for its own CDC offsets under {@code src.<dept>._cdc.})</td></tr>
 * <tr><td>topics with prefix {@code src.<dept>._cdc.}</td><td>CREATE (its CDC runners' offsets, schema history and dead letters)</td></tr>
 * <tr><td>topic {@code cmd.<dept>}</td><td>WRITE, DESCRIBE</td></tr>
 * <tr><td>topics with prefix {@code dlv.<dept>.}</td><td>READ, DESCRIBE</td></tr>
 * <tr><td>topic {@code reply.<dept>}</td><td>READ, DESCRIBE</td></tr>
 * <tr><td>topic {@code bus.catalog}</td><td>READ, DESCRIBE</td></tr>
 * <tr><td>topic {@code bus.catalog.history}</td><td>READ, DESCRIBE</td></tr>
 * <tr><td>topics with prefix {@code open.}</td><td>READ, DESCRIBE (open data, Art. 31)</td></tr>
 * <tr><td>groups with prefix {@code <dept>.}</td><td>READ, DESCRIBE</td></tr>
 * <tr><td>transactional ids with prefix {@code <dept>.}</td><td>WRITE, DESCRIBE</td></tr>
 * </table>
 *
 * A department creates no other topic: governance creates its resource topics, with the bus's partition count and
 * {@link Topics#MAX_MESSAGE_BYTES}. It writes no system topic either ({@code bus.deadletter} included: its CDC runners'
 * dead letters go to {@link Topics#cdcDeadLetters}, whose name says who wrote them). Its topic creations are rate-limited
 * ({@link #CONTROLLER_MUTATION_RATE}).
 *
 * <p>An auditor {@code User:auditor-<id>} reads {@code bus.exchange-log} and {@code bus.exchange-log.checkpoints} and uses
 * groups prefixed {@code auditor-<id>.}; nothing else.
 *
 * <p>An expert {@code User:expert-<id>} writes its command topic {@code cmd.expert-<id>} and reads its replies
 * {@code reply.expert-<id>}, with groups prefixed {@code expert-<id>.}; nothing else (governance accepts from it only an
 * opinion on a dispute referred to it).
 */
public final class AccessPolicy {

    /**
     * A department's controller mutation quota ({@code controller_mutation_rate}): partitions it may create or delete per
     * second, averaged by the broker; beyond it, its requests are throttled. A CDC runner creates two or three one-partition
     * topics once.
     */
    public static final double CONTROLLER_MUTATION_RATE = 2.0;

    private AccessPolicy() {
    }

    /** Every ACL of department {@code dept}. */
    public static List<AclBinding> department(String dept) {
        Topics.checkDepartment(dept);
        String p = Principals.principal(dept);
        List<AclBinding> acls = new ArrayList<>();
        add(acls, p, ResourceType.TOPIC, Topics.sourcePrefix(dept), PatternType.PREFIXED, AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE);
        // CREATE only here: Debezium creates a CDC runner's offsets and schema-history topics itself; resource topics are
        // governance's (a department choosing their partitions could break the router's co-partitioned state)
        add(acls, p, ResourceType.TOPIC, Topics.cdcPrefix(dept), PatternType.PREFIXED, AclOperation.CREATE);
        add(acls, p, ResourceType.TOPIC, Topics.commands(dept), PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
        add(acls, p, ResourceType.TOPIC, Topics.deliveryPrefix(dept), PatternType.PREFIXED, AclOperation.READ, AclOperation.DESCRIBE);
        add(acls, p, ResourceType.TOPIC, Topics.replies(dept), PatternType.LITERAL, AclOperation.READ, AclOperation.DESCRIBE);
        add(acls, p, ResourceType.TOPIC, Topics.CATALOG, PatternType.LITERAL, AclOperation.READ, AclOperation.DESCRIBE);
        add(acls, p, ResourceType.TOPIC, Topics.CATALOG_HISTORY, PatternType.LITERAL, AclOperation.READ, AclOperation.DESCRIBE);
        add(acls, p, ResourceType.TOPIC, Topics.OPEN_PREFIX, PatternType.PREFIXED, AclOperation.READ, AclOperation.DESCRIBE);
        add(acls, p, ResourceType.GROUP, Topics.groupPrefix(dept), PatternType.PREFIXED, AclOperation.READ, AclOperation.DESCRIBE);
        add(acls, p, ResourceType.TRANSACTIONAL_ID, Topics.groupPrefix(dept), PatternType.PREFIXED, AclOperation.WRITE, AclOperation.DESCRIBE);
        return acls;
    }

    /** Every ACL of auditor {@code auditorId}. */
    public static List<AclBinding> auditor(String auditorId) {
        String name = Principals.auditorPrincipal(auditorId);
        String p = Principals.principal(name);
        List<AclBinding> acls = new ArrayList<>();
        add(acls, p, ResourceType.TOPIC, Topics.EXCHANGE_LOG, PatternType.LITERAL, AclOperation.READ, AclOperation.DESCRIBE);
        add(acls, p, ResourceType.TOPIC, Topics.EXCHANGE_LOG_CHECKPOINTS, PatternType.LITERAL, AclOperation.READ, AclOperation.DESCRIBE);
        add(acls, p, ResourceType.GROUP, name + ".", PatternType.PREFIXED, AclOperation.READ, AclOperation.DESCRIBE);
        return acls;
    }

    /** Every ACL of expert {@code expertId}. */
    public static List<AclBinding> expert(String expertId) {
        String name = Principals.expertPrincipal(expertId);
        String p = Principals.principal(name);
        List<AclBinding> acls = new ArrayList<>();
        add(acls, p, ResourceType.TOPIC, Topics.expertCommands(expertId), PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
        add(acls, p, ResourceType.TOPIC, Topics.expertReplies(expertId), PatternType.LITERAL, AclOperation.READ, AclOperation.DESCRIBE);
        add(acls, p, ResourceType.GROUP, name + ".", PatternType.PREFIXED, AclOperation.READ, AclOperation.DESCRIBE);
        return acls;
    }

    private static void add(List<AclBinding> acls, String principal, ResourceType type, String name, PatternType pattern,
            AclOperation... operations) {
        for (AclOperation op : operations) {
            acls.add(new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
        }
    }

    /** One line per ACL, e.g. {@code TOPIC PREFIXED src.psb. WRITE}. */
    public static String describe(AclBinding acl) {
        return acl.pattern().resourceType() + " " + acl.pattern().patternType() + " " + acl.pattern().name() + " "
                + acl.entry().operation() + (acl.entry().permissionType() == AclPermissionType.ALLOW ? "" : " DENY");
    }
}
