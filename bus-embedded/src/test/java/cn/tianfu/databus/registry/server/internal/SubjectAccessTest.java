package cn.tianfu.databus.registry.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import cn.tianfu.databus.auth.Authenticator.Caller;

class SubjectAccessTest {

    private static final Caller PSB = Caller.of("psb");

    @Test
    void a_department_sees_catalogued_sources_its_own_deliveries_commands_and_replies() {
        assertThat(SubjectAccess.visible(PSB, "src.hrss.pension-value")).isTrue();
        assertThat(SubjectAccess.visible(PSB, "src.psb.population-key")).isTrue();
        assertThat(SubjectAccess.visible(PSB, "dlv.psb.pension-value")).isTrue();
        assertThat(SubjectAccess.visible(PSB, "cmd.psb-value")).isTrue();
        assertThat(SubjectAccess.visible(PSB, "reply.psb-value")).isTrue();
        assertThat(SubjectAccess.visible(PSB, "bus.catalog-value")).isTrue();
        assertThat(SubjectAccess.visible(PSB, "bus.deadletter-value")).isTrue();
    }

    @Test
    void a_department_sees_nothing_of_another_departments_deliveries_commands_or_the_bus_internals() {
        assertThat(SubjectAccess.visible(PSB, "dlv.hrss.population-value")).isFalse();
        assertThat(SubjectAccess.visible(PSB, "dlv.psbx.population-value")).isFalse();
        assertThat(SubjectAccess.visible(PSB, "cmd.hrss-value")).isFalse();
        assertThat(SubjectAccess.visible(PSB, "reply.hrss-value")).isFalse();
        assertThat(SubjectAccess.visible(PSB, "reply.psb2-value")).isFalse();
        assertThat(SubjectAccess.visible(PSB, "bus.grants-value")).isFalse();
        assertThat(SubjectAccess.visible(PSB, "bus.exchange-log-value")).isFalse();
        assertThat(SubjectAccess.visible(PSB, "src.psb._cdc.r1.offsets-value")).isFalse();
        assertThat(SubjectAccess.visible(PSB, "cn.tianfu.Population")).isFalse();
        assertThat(SubjectAccess.visible(PSB, "-value")).isFalse();
    }

    @Test
    void an_auditor_sees_the_log_and_the_bus_everything() {
        Caller auditor = Caller.of("auditor-city");
        assertThat(SubjectAccess.visible(auditor, "bus.exchange-log-value")).isTrue();
        assertThat(SubjectAccess.visible(auditor, "bus.exchange-log.checkpoints-value")).isTrue();
        assertThat(SubjectAccess.visible(auditor, "src.psb.population-value")).isFalse();
        assertThat(SubjectAccess.visible(Caller.admin("bus"), "dlv.hrss.population-value")).isTrue();
        assertThat(SubjectAccess.visible(null, "anything")).isTrue();
    }
}
