package cn.tianfu.databus.governance.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import cn.tianfu.databus.governance.client.internal.TopicViews;

class ApprovalTest {

    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void as_requested_narrows_nothing() {
        Approval a = Approval.asRequested();
        assertThat(a.fields()).isEmpty();
        assertThat(a.filter()).isEmpty();
        assertThat(a.clearFields()).isEmpty();
        assertThat(a.validFrom()).isEmpty();
        assertThat(a.validUntil()).isEmpty();
    }

    @Test
    void each_option_narrows_a_copy() {
        List<String> fields = new ArrayList<>(List.of("idNumber", "name"));
        Approval base = Approval.asRequested();
        Approval a = base.withFields(fields).withFilter("divisionCode.startsWith('5101')").withClearFields(List.of("name"))
                .from(T0).until(T0.plus(Duration.ofDays(365))).withReason("限一年");
        fields.add("mobile");
        assertThat(a.fields()).contains(List.of("idNumber", "name"));
        assertThat(a.filter()).contains("divisionCode.startsWith('5101')");
        assertThat(a.clearFields()).containsExactly("name");
        assertThat(a.validUntil()).contains(T0.plus(Duration.ofDays(365)));
        assertThat(a.reason()).contains("限一年");
        assertThat(base.fields()).isEmpty();
    }

    @Test
    void an_approval_that_grants_nothing_or_ends_before_it_starts_is_refused() {
        assertThatThrownBy(() -> Approval.asRequested().withFields(List.of())).hasMessageContaining("reject the request instead");
        assertThatThrownBy(() -> Approval.asRequested().withFilter(" ")).hasMessageContaining("filter");
        assertThatThrownBy(() -> Approval.asRequested().from(T0).until(T0)).hasMessageContaining("must be after validFrom");
    }

    @Test
    void search_folds_case_and_width_but_keeps_chinese() {
        assertThat(TopicViews.fold("ＡＢＣ Registration")).isEqualTo("abc registration");
        assertThat(TopicViews.fold("人口基础信息")).isEqualTo("人口基础信息");
        assertThat(TopicViews.fold(null)).isEmpty();
    }

    @Test
    void a_timeout_names_the_command_and_says_governance_may_be_down() {
        GovernanceTimeoutException e = new GovernanceTimeoutException("c-1", "reply.psb", Duration.ofSeconds(30));
        assertThat(e).hasMessageContaining("c-1").hasMessageContaining("reply.psb").hasMessageContaining("30 s")
                .hasMessageContaining("governance may be down");
        assertThat(e.isRetriable()).isTrue();
        assertThat(new GovernanceTimeoutException("c-2", "reply.psb", Duration.ofMillis(800))).hasMessageContaining("800 ms");
    }
}
