package cn.tianfu.databus.cli.violation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import cn.tianfu.databus.schemas.DutyKind;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationClause;
import cn.tianfu.databus.schemas.ViolationEvent;
import cn.tianfu.databus.schemas.ViolationStatus;

class ViolationsCommandTest {

    private static Violation violation(ViolationClause clause) {
        Instant due = Instant.parse("2026-11-12T15:59:59.999Z");
        return Violation.newBuilder().setId("46-5:R1").setClause(clause).setDepartment("psb")
                .setDuty(DutyKind.DECIDE_REQUEST).setSubjectId("R1").setDueAt(due).setDetectedAt(due)
                .setDescription("not decided").setEvidence(List.of("R1")).setStatus(ViolationStatus.OPEN)
                .setHistory(List.of(ViolationEvent.newBuilder().setAt(due).setStatus(ViolationStatus.OPEN)
                        .setBy("deadlines").build()))
                .build();
    }

    @Test
    void theClauseIsShownAsTheRegulationNumbersIt() {
        assertThat(ViolationsCommand.clause(violation(ViolationClause.ART46_5))).isEqualTo("46(五)");
        assertThat(ViolationsCommand.clause(violation(ViolationClause.ART46_11))).isEqualTo("46(十一)");
        assertThat(ViolationsCommand.clause(violation(ViolationClause.ART46_1))).isEqualTo("46(一)");
    }

    @Test
    void theJsonFormHasEveryFieldAndTheHistory() {
        Map<String, Object> m = ViolationsCommand.toMap(violation(ViolationClause.ART46_5));
        assertThat(m).containsEntry("id", "46-5:R1").containsEntry("clause", "46(五)").containsEntry("department", "psb")
                .containsEntry("duty", "DECIDE_REQUEST").containsEntry("status", "OPEN")
                .containsEntry("dueAt", "2026-11-12T15:59:59.999Z").containsEntry("rectifyBy", null);
        assertThat((List<?>) m.get("history")).hasSize(1);
    }
}
