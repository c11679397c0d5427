package cn.tianfu.databus.cli.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class TableTest {

    private static List<String> render(Table t) {
        StringWriter s = new StringWriter();
        t.print(new PrintWriter(s));
        return s.toString().lines().toList();
    }

    @Test
    void columns_line_up_in_terminal_columns_with_chinese_text() {
        Table t = new Table("CODE", "NAME", "PROVIDER");
        t.row("10101-000001", "人口基础信息", "psb");
        t.row("10201-000001", "法人", "amr");
        List<String> lines = render(t);
        assertThat(lines).hasSize(3);
        // PROVIDER starts at the same terminal column on every line
        int column = Table.width(lines.get(0).substring(0, lines.get(0).indexOf("PROVIDER")));
        assertThat(Table.width(lines.get(1).substring(0, lines.get(1).indexOf("psb")))).isEqualTo(column);
        assertThat(Table.width(lines.get(2).substring(0, lines.get(2).indexOf("amr")))).isEqualTo(column);
        assertThat(column).isEqualTo("10101-000001".length() + 2 + "人口基础信息".length() * 2 + 2);
    }

    @Test
    void wide_characters_count_two_columns() {
        assertThat(Table.width("abc")).isEqualTo(3);
        assertThat(Table.width("人口")).isEqualTo(4);
        assertThat(Table.width("（Ａ）")).isEqualTo(6);
        assertThat(Table.width("a人b")).isEqualTo(4);
    }

    @Test
    void long_cells_are_cut_and_blank_cells_stay_aligned() {
        Table t = new Table("A", "B", "C");
        t.row("仅".repeat(50), null, "x");
        t.row("y", "", "z");
        List<String> lines = render(t);
        assertThat(Table.width(lines.get(1).substring(0, lines.get(1).indexOf('…') + 1))).isLessThanOrEqualTo(Table.MAX_CELL);
        assertThat(lines.get(1).indexOf('x') - lines.get(1).indexOf('…')).isPositive();
        assertThat(Table.width(lines.get(1).substring(0, lines.get(1).indexOf('x'))))
                .isEqualTo(Table.width(lines.get(2).substring(0, lines.get(2).indexOf('z'))));
        assertThat(lines).allSatisfy(l -> assertThat(l).doesNotEndWith(" "));
    }

    @Test
    void rows_must_fit_the_header() {
        assertThatThrownBy(() -> new Table("A", "B").row("only one")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void times_show_in_shanghai_and_dates_read_as_shanghai_days() {
        assertThat(Times.format(Instant.parse("2026-12-11T15:59:00Z"))).isEqualTo("2026-12-11 23:59");
        assertThat(Times.format(null)).isEmpty();
        assertThat(Times.parse("2026-12-31", false)).isEqualTo(Instant.parse("2026-12-30T16:00:00Z"));
        assertThat(Times.parse("2026-12-31", true)).isEqualTo(Instant.parse("2026-12-31T16:00:00Z"));
        assertThat(Times.parse("2026-12-31T18:00+08:00", true)).isEqualTo(Instant.parse("2026-12-31T10:00:00Z"));
    }

    @Test
    void durations_read_short_and_iso_forms() {
        Durations d = new Durations();
        assertThat(d.convert("500ms").toMillis()).isEqualTo(500);
        assertThat(d.convert("30s").toSeconds()).isEqualTo(30);
        assertThat(d.convert("2m").toSeconds()).isEqualTo(120);
        assertThat(d.convert("PT1H").toMinutes()).isEqualTo(60);
    }
}
