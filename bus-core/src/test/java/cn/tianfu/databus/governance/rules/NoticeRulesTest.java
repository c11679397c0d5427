package cn.tianfu.databus.governance.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;

import org.junit.jupiter.api.Test;

import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.schemas.CatalogNotice;
import cn.tianfu.databus.schemas.NoticeCatalogUpdate;
import cn.tianfu.databus.schemas.NoticeStatus;
import cn.tianfu.databus.schemas.Outcome;

/** {@link NoticeRules}: the authority's notice to update a catalogue (Art. 14) and what closes it. */
class NoticeRulesTest {

    /** Monday 2026-11-02, 10:00 in Asia/Shanghai. */
    private static final Instant MONDAY = ZonedDateTime.parse("2026-11-02T10:00:00+08:00[Asia/Shanghai]").toInstant();
    private static final NoticeCatalogUpdate PSB = NoticeCatalogUpdate.newBuilder().setDepartment("psb")
            .setReason("duties changed").build();

    private static Decision counted(Decision d) {
        return d instanceof Decision.NeedsCalendar c ? c.then().apply(WorkingDayCalendar.bundled()) : d;
    }

    @Test
    void onlyTheBusGivesNoticeAndOnlyToAKnownDepartment() {
        Decision byDept = NoticeRules.catalogUpdate("edu", PSB, true, "c1", MONDAY);
        assertThat(byDept).isInstanceOf(Decision.Refused.class);
        assertThat(((Decision.Refused) byDept).answer().outcome()).isEqualTo(Outcome.REFUSED);

        Decision unknown = NoticeRules.catalogUpdate("bus", PSB, false, "c1", MONDAY);
        assertThat(((Decision.Refused) unknown).answer().outcome()).isEqualTo(Outcome.NOT_FOUND);
        assertThat(((Decision.Refused) unknown).answer().message()).contains("no department 'psb'");

        Decision given = counted(NoticeRules.catalogUpdate("bus", PSB, true, "c1", MONDAY));
        Decision.Accepted accepted = (Decision.Accepted) given;
        CatalogNotice n = accepted.changes().stream().filter(c -> c instanceof Change.NoticeState)
                .map(c -> ((Change.NoticeState) c).notice()).findFirst().orElseThrow();
        assertThat(n.getId()).isEqualTo("notice:psb:c1");
        assertThat(n.getStatus()).isEqualTo(NoticeStatus.OPEN);
        // 15 working days after Monday 2026-11-02 (no holiday): Monday 2026-11-23, to its end
        assertThat(n.getDueAt()).isEqualTo(ZonedDateTime.parse("2026-11-23T23:59:59.999+08:00[Asia/Shanghai]").toInstant());
    }

    @Test
    void aCatalogueChangeClosesTheDepartmentsOpenNoticesOnly() {
        CatalogNotice psb = ((Change.NoticeState) ((Decision.Accepted) counted(NoticeRules.catalogUpdate("bus", PSB, true,
                "c1", MONDAY))).changes().get(0)).notice();
        CatalogNotice edu = CatalogNotice.newBuilder(psb).setId("notice:edu:c2").setDepartment("edu").build();
        Instant later = MONDAY.plus(Duration.ofDays(3));

        assertThat(NoticeRules.closedBy("hrss", List.of(psb, edu), "hrss/r1 on x", later)).isEmpty();
        List<CatalogNotice> closed = NoticeRules.closedBy("psb", List.of(psb, edu), "psb/r1 on 101-000001", later);
        assertThat(closed).hasSize(1);
        assertThat(closed.get(0).getId()).isEqualTo("notice:psb:c1");
        assertThat(closed.get(0).getStatus()).isEqualTo(NoticeStatus.CLOSED);
        assertThat(closed.get(0).getClosedAt()).isEqualTo(later);
        assertThat(NoticeRules.closedBy("psb", closed, "psb/r2 on 101-000001", later.plusSeconds(1))).isEmpty();
    }
}
