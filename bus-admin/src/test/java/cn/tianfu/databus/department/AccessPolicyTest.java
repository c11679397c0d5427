package cn.tianfu.databus.department;

import cn.tianfu.databus.contract.Principals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AccessPolicyTest {

    @Test
    void aDepartmentGetsExactlyItsOwnPrefixesAndTheCatalog() {
        assertThat(AccessPolicy.department("psb")).extracting(AccessPolicy::describe).containsExactlyInAnyOrder(
                "TOPIC PREFIXED src.psb. WRITE", "TOPIC PREFIXED src.psb. READ", "TOPIC PREFIXED src.psb. DESCRIBE",
                "TOPIC PREFIXED src.psb._cdc. CREATE",
                "TOPIC LITERAL cmd.psb WRITE", "TOPIC LITERAL cmd.psb DESCRIBE",
                "TOPIC PREFIXED dlv.psb. READ", "TOPIC PREFIXED dlv.psb. DESCRIBE",
                "TOPIC LITERAL reply.psb READ", "TOPIC LITERAL reply.psb DESCRIBE",
                "TOPIC LITERAL bus.catalog READ", "TOPIC LITERAL bus.catalog DESCRIBE",
                "TOPIC LITERAL bus.catalog.history READ", "TOPIC LITERAL bus.catalog.history DESCRIBE",
                "TOPIC PREFIXED open. READ", "TOPIC PREFIXED open. DESCRIBE",
                "GROUP PREFIXED psb. READ", "GROUP PREFIXED psb. DESCRIBE",
                "TRANSACTIONAL_ID PREFIXED psb. WRITE", "TRANSACTIONAL_ID PREFIXED psb. DESCRIBE");
        assertThat(AccessPolicy.department("psb")).allSatisfy(acl -> assertThat(acl.entry().principal()).isEqualTo("User:psb"));
    }

    @Test
    void aDepartmentCreatesTopicsOnlyUnderItsCdcPrefixAndWritesNoSystemTopic() {
        assertThat(AccessPolicy.department("psb")).filteredOn(acl -> acl.entry().operation() == org.apache.kafka.common.acl.AclOperation.CREATE)
                .extracting(acl -> acl.pattern().name()).containsExactly(cn.tianfu.databus.contract.Topics.cdcPrefix("psb"));
        assertThat(AccessPolicy.department("psb")).extracting(acl -> acl.pattern().name()).noneMatch(n -> n.startsWith("bus.deadletter"));
        // the CDC prefix holds every topic a CDC runner creates, and none of them is a source topic
        for (String t : java.util.List.of(cn.tianfu.databus.contract.Topics.cdcOffsets("psb", "hukou"),
                cn.tianfu.databus.contract.Topics.cdcSchemaHistory("psb", "hukou"), cn.tianfu.databus.contract.Topics.cdcDeadLetters("psb", "hukou"))) {
            assertThat(t).startsWith(cn.tianfu.databus.contract.Topics.cdcPrefix("psb"));
            assertThat(cn.tianfu.databus.contract.Topics.isCdcInternal(t)).as(t).isTrue();
            assertThat(cn.tianfu.databus.contract.Topics.parseSource(t)).as(t).isEmpty();
        }
        assertThat(cn.tianfu.databus.contract.Topics.isCdcInternal("src.psb._cdc.zz-64")).isTrue();
        assertThat(cn.tianfu.databus.contract.Topics.isCdcInternal("src.psb.10101-000001")).isFalse();
        assertThat(cn.tianfu.databus.contract.Topics.isCdcInternal("dlv.psb._cdc.x")).isFalse();
    }

    @Test
    void anAuditorReadsTheLogAndItsCheckpointsOnly() {
        assertThat(AccessPolicy.auditor("city")).extracting(AccessPolicy::describe).containsExactlyInAnyOrder(
                "TOPIC LITERAL bus.exchange-log READ", "TOPIC LITERAL bus.exchange-log DESCRIBE",
                "TOPIC LITERAL bus.exchange-log.checkpoints READ", "TOPIC LITERAL bus.exchange-log.checkpoints DESCRIBE",
                "GROUP PREFIXED auditor-city. READ", "GROUP PREFIXED auditor-city. DESCRIBE");
        assertThat(AccessPolicy.auditor("city")).allSatisfy(acl -> assertThat(acl.entry().principal()).isEqualTo("User:auditor-city"));
    }

    @Test
    void reservedAndAuditorNamesCannotBeDepartments() {
        assertThatThrownBy(() -> Principals.checkDepartmentId("bus")).hasMessageContaining("reserved");
        assertThatThrownBy(() -> Principals.checkDepartmentId("auditor-x")).hasMessageContaining("names auditors");
        assertThatThrownBy(() -> Principals.checkDepartmentId("PSB")).hasMessageContaining("invalid");
        assertThat(Principals.checkDepartmentId("psb")).isEqualTo("psb");
    }
}
