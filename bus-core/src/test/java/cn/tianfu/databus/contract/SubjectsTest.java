package cn.tianfu.databus.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import cn.tianfu.databus.contract.Topics;

class SubjectsTest {

    @Test
    void aTopicsValueAndKeySchemasAreRegisteredUnderItsNameWithASuffix() {
        String topic = Topics.source("psb", "10101-000001");
        assertThat(Subjects.valueSubject(topic)).isEqualTo("src.psb.10101-000001-value");
        assertThat(Subjects.keySubject(topic)).isEqualTo("src.psb.10101-000001-key");
        assertThat(Subjects.subject(topic, false)).isEqualTo(Subjects.valueSubject(topic));
        assertThat(Subjects.subject(topic, true)).isEqualTo(Subjects.keySubject(topic));
    }

    @Test
    void aSubjectNeedsATopic() {
        assertThatThrownBy(() -> Subjects.valueSubject(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("topic");
    }
}
