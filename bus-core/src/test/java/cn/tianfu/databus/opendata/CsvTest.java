package cn.tianfu.databus.opendata;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class CsvTest {

    @Test
    void fieldsAreQuotedOnlyWhenRfc4180NeedsIt() {
        assertThat(Csv.field("成都甲公司")).isEqualTo("成都甲公司");
        assertThat(Csv.field("a,b")).isEqualTo("\"a,b\"");
        assertThat(Csv.field("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(Csv.field("line\nbreak")).isEqualTo("\"line\nbreak\"");
        assertThat(Csv.field("cr\rhere")).isEqualTo("\"cr\rhere\"");
        assertThat(Csv.field(" padded")).isEqualTo("\" padded\"");
        assertThat(Csv.field("")).isEmpty();
        assertThat(Csv.field(null)).isEmpty();
    }

    @Test
    void aRecordIsCommaSeparatedAndEndsWithCrlf() {
        assertThat(Csv.record(Arrays.asList("1", null, "x,y", "\""))).isEqualTo("1,,\"x,y\",\"\"\"\"\r\n");
        assertThat(Csv.record(List.of())).isEqualTo("\r\n");
    }
}
