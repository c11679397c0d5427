package cn.tianfu.databus.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WireFormatTest {

    @Test
    void theHeaderIsTheMagicByteAndTheSchemaIdBigEndian() {
        byte[] framed = new byte[WireFormat.HEADER_SIZE + 1];
        WireFormat.writeHeader(framed, 0x01020304);
        assertThat(framed).startsWith(0, 1, 2, 3, 4);
        assertThat(WireFormat.readSchemaId(framed)).isEqualTo(0x01020304);
        assertThat(WireFormat.isFramed(framed)).isTrue();
    }

    @Test
    void idsAboveTheSignedByteRangeRoundTrip() {
        byte[] framed = new byte[WireFormat.HEADER_SIZE];
        WireFormat.writeHeader(framed, 0x80FF7FFE);
        assertThat(WireFormat.readSchemaId(framed)).isEqualTo(0x80FF7FFE);
    }

    @Test
    void tooShortOrWithoutTheMagicByteIsNotFramed() {
        assertThat(WireFormat.isFramed(null)).isFalse();
        assertThat(WireFormat.isFramed(new byte[] {0, 0, 0, 1})).isFalse();
        assertThat(WireFormat.isFramed(new byte[] {1, 0, 0, 0, 1})).isFalse();
    }
}
