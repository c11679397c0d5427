package cn.tianfu.databus.dr;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.schemas.DutyKind;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationClause;
import cn.tianfu.databus.schemas.ViolationStatus;

/** The backup duty's detection: which resources are in breach, once per episode, on an injected clock. */
class BackupDutyTest {

    private static final String CODE = "10201-000001";
    private static final String OTHER = "10301-000007";
    private static final List<String> TOPICS = List.of(Topics.source("amr", CODE), Topics.delivery("hrss", CODE),
            Topics.open(CODE), Topics.source("edu", OTHER), Topics.delivery("amr", OTHER), Topics.EXCHANGE_LOG,
            Topics.commands("amr"), Topics.SCHEMAS);

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-02T08:00:00Z"));
    private final InstantSource clock = () -> now.get();

    private static DrConfig config(Map<String, Object> extra) {
        Map<String, Object> m = new java.util.HashMap<>(Map.of(DrConfig.BACKUP_LAG_MAX_CONFIG, "100",
                DrConfig.BACKUP_LAG_GRACE_SECONDS_CONFIG, "60"));
        m.putAll(extra);
        return new DrConfig(m);
    }

    private void advance(int seconds) {
        now.set(now.get().plus(Duration.ofSeconds(seconds)));
    }

    @Test
    void resources_are_found_by_their_source_topics_with_their_deliveries_and_open_data() {
        Map<String, BackupDuty.Resource> resources = BackupDuty.resources(TOPICS);
        assertThat(resources).containsOnlyKeys(CODE, OTHER);
        assertThat(resources.get(CODE).department()).isEqualTo("amr");
        assertThat(resources.get(CODE).topics()).containsExactlyInAnyOrder(Topics.source("amr", CODE),
                Topics.delivery("hrss", CODE), Topics.open(CODE));
        assertThat(resources.get(OTHER).topics()).containsExactlyInAnyOrder(Topics.source("edu", OTHER), Topics.delivery("amr", OTHER));
    }

    @Test
    void a_resource_whose_topics_are_not_replicated_is_a_violation_once_per_episode() {
        // deliveries left out of the replication
        DrConfig config = config(Map.of(DrConfig.TOPICS_CONFIG, "src\\..*,open\\..*,bus\\..*"));
        BackupDuty duty = new BackupDuty(config, clock, List.of());
        List<Violation> raised = duty.check(TOPICS, Map.of());
        assertThat(raised).hasSize(2);
        Violation v = raised.stream().filter(x -> x.getResourceCode().equals(CODE)).findFirst().orElseThrow();
        assertThat(v.getId()).isEqualTo("46-8:backup:" + CODE + ":2026-03-02T08:00:00Z");
        assertThat(v.getClause()).isEqualTo(ViolationClause.ART46_8);
        assertThat(v.getDuty()).isEqualTo(DutyKind.BACKUP_TO_DR);
        assertThat(v.getDepartment()).isEqualTo("amr");
        assertThat(v.getStatus()).isEqualTo(ViolationStatus.OPEN);
        assertThat(v.getEvidence()).containsExactly(Topics.delivery("hrss", CODE));
        assertThat(v.getDescription()).contains("excluded").contains("46(八)");
        assertThat(BackupDuty.resourceOf(v.getId())).isEqualTo(CODE);

        // polled again while the breach lasts: nothing new
        advance(30);
        assertThat(duty.check(TOPICS, Map.of())).isEmpty();
        advance(3600);
        assertThat(duty.check(TOPICS, Map.of())).isEmpty();
    }

    @Test
    void a_lag_above_the_bound_is_a_violation_only_after_the_grace_and_again_only_in_a_new_episode() {
        BackupDuty duty = new BackupDuty(config(Map.of()), clock, List.of());
        Map<String, Long> lagging = Map.of(Topics.source("amr", CODE), 80L, Topics.delivery("hrss", CODE), 30L);
        assertThat(duty.check(TOPICS, lagging)).as("above the bound, within the grace").isEmpty();
        advance(59);
        assertThat(duty.check(TOPICS, lagging)).isEmpty();
        advance(1);
        List<Violation> raised = duty.check(TOPICS, lagging);
        assertThat(raised).singleElement().satisfies(v -> {
            assertThat(v.getResourceCode()).isEqualTo(CODE);
            assertThat(v.getDescription()).contains("110 records");
            assertThat(v.getDueAt()).isEqualTo(Instant.parse("2026-03-02T08:01:00Z"));
        });
        advance(10);
        assertThat(duty.check(TOPICS, lagging)).as("the same episode").isEmpty();

        // caught up: the episode ends; a new breach is a new violation after its own grace
        advance(10);
        assertThat(duty.check(TOPICS, Map.of(Topics.source("amr", CODE), 3L))).isEmpty();
        advance(10);
        assertThat(duty.check(TOPICS, lagging)).isEmpty();
        advance(60);
        assertThat(duty.check(TOPICS, lagging)).singleElement()
                .satisfies(v -> assertThat(v.getId()).isEqualTo("46-8:backup:" + CODE + ":2026-03-02T08:02:30Z"));
    }

    @Test
    void a_dip_below_the_bound_within_the_grace_starts_the_grace_again() {
        BackupDuty duty = new BackupDuty(config(Map.of()), clock, List.of());
        Map<String, Long> lagging = Map.of(Topics.source("amr", CODE), 500L);
        assertThat(duty.check(TOPICS, lagging)).isEmpty();
        advance(50);
        assertThat(duty.check(TOPICS, Map.of(Topics.source("amr", CODE), 100L))).as("at the bound is within it").isEmpty();
        advance(50);
        assertThat(duty.check(TOPICS, lagging)).isEmpty();
        advance(59);
        assertThat(duty.check(TOPICS, lagging)).isEmpty();
    }

    @Test
    void a_breach_raised_by_an_earlier_run_is_not_raised_again_until_it_ended() {
        DrConfig config = config(Map.of(DrConfig.TOPICS_CONFIG, "src\\..*,open\\..*"));
        BackupDuty duty = new BackupDuty(config, clock, Set.of(CODE));
        assertThat(duty.check(TOPICS, Map.of())).extracting(Violation::getResourceCode).containsExactly(OTHER);
        // a violation that could not be written is raised at the next check
        duty.forget(OTHER);
        assertThat(duty.check(TOPICS, Map.of())).extracting(Violation::getResourceCode).containsExactly(OTHER);
    }
}
