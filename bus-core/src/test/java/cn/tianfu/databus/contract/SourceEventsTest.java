package cn.tianfu.databus.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.contract.EventHeaders;

class SourceEventsTest {

    private static final Schema PERMIT = new Schema.Parser().parse("""
            {"type":"record","name":"Permit","fields":[{"name":"number","type":"string"}]}""");
    private static final Instant AT = Instant.ofEpochMilli(1_767_225_600_123L);
    private static final String POSITION = "pg:0000000001A2B3C4:0000000001A2B3F0";

    private final SourceEvents codec = new SourceEvents();

    private static GenericRecord permit(String number) {
        GenericRecord r = new GenericData.Record(PERMIT);
        r.put("number", number);
        return r;
    }

    private static GenericRecord decode(byte[] framed) throws Exception {
        return new GenericDatumReader<GenericRecord>(PERMIT).read(null, DecoderFactory.get()
                .binaryDecoder(framed, WireFormat.HEADER_SIZE, framed.length - WireFormat.HEADER_SIZE, null));
    }

    @Test
    void anUpsertIsTheRecordFramedWithItsSchemaIdAndCarriesTheHeadersInOrder() throws Exception {
        SourceEvent e = codec.upsert("P-1", 42, permit("P-1"), AT, null);

        assertThat(e.key()).isEqualTo("P-1");
        assertThat(e.isDelete()).isFalse();
        assertThat(e.value()[0]).isEqualTo(WireFormat.MAGIC_BYTE);
        assertThat(WireFormat.readSchemaId(e.value())).isEqualTo(42);
        assertThat(decode(e.value()).get("number").toString()).isEqualTo("P-1");
        assertThat(e.headers()).extracting(SourceEvent.Header::name)
                .containsExactly(EventHeaders.EVENT_ID, EventHeaders.OP, EventHeaders.SOURCE_TIME);
        assertThat(e.header(EventHeaders.OP)).contains(EventHeaders.OP_UPSERT);
        assertThat(e.header(EventHeaders.SOURCE_TIME)).contains("1767225600123");
        assertThat(UUID.fromString(e.header(EventHeaders.EVENT_ID).orElseThrow())).isNotNull();
        assertThat(e.header(EventHeaders.SOURCE_POSITION)).isEmpty();
    }

    @Test
    void aCapturedChangeCarriesItsSourcePosition() {
        SourceEvent e = codec.upsert("P-1", 42, permit("P-1"), AT, POSITION);
        assertThat(e.headers()).extracting(SourceEvent.Header::name).containsExactly(EventHeaders.EVENT_ID,
                EventHeaders.OP, EventHeaders.SOURCE_TIME, EventHeaders.SOURCE_POSITION);
        assertThat(e.header(EventHeaders.SOURCE_POSITION)).contains(POSITION);
    }

    @Test
    void aDeleteIsATombstone() {
        SourceEvent e = SourceEvents.delete("P-1", AT, POSITION);
        assertThat(e.isDelete()).isTrue();
        assertThat(e.value()).isNull();
        assertThat(e.header(EventHeaders.OP)).contains(EventHeaders.OP_DELETE);
        assertThat(e.header(EventHeaders.SOURCE_POSITION)).contains(POSITION);
    }

    @Test
    void everyEventHasItsOwnId() {
        assertThat(SourceEvents.delete("P-1", AT, null).header(EventHeaders.EVENT_ID))
                .isNotEqualTo(SourceEvents.delete("P-1", AT, null).header(EventHeaders.EVENT_ID));
    }

    @Test
    void headerValuesAreUtf8Text() {
        SourceEvent.Header h = new SourceEvent.Header(EventHeaders.OP, "更新");
        assertThat(h.bytes()).isEqualTo(EventHeaders.bytes("更新"));
    }

    @Test
    void theSameSchemaFramesTheSameBytesEachTime() {
        byte[] first = codec.frame(7, permit("P-1"));
        byte[] again = codec.frame(7, permit("P-1"));
        assertThat(Arrays.equals(first, again)).isTrue();
    }

    @Test
    void recordsFramedOneAfterAnotherOnOneThreadAreEachExactlyTheirOwnBytes() throws Exception {
        String large = "x".repeat(200_000);   // beyond what a thread's buffer keeps between records
        byte[] small = codec.frame(7, permit("P-1"));
        byte[] big = codec.frame(8, permit(large));
        byte[] smallAgain = codec.frame(7, permit("P-1"));

        assertThat(small).hasSize(WireFormat.HEADER_SIZE + 1 + 3);   // header, length varint, "P-1"
        assertThat(decode(small).get("number").toString()).isEqualTo("P-1");
        assertThat(WireFormat.readSchemaId(big)).isEqualTo(8);
        assertThat(decode(big).get("number").toString()).isEqualTo(large);
        assertThat(smallAgain).isEqualTo(small);
    }

    @Test
    void aRefusedRecordLeavesNothingBehindForTheNextOne() throws Exception {
        GenericRecord incomplete = new GenericData.Record(PERMIT);
        assertThatThrownBy(() -> codec.frame(7, incomplete)).isInstanceOf(SourceEvents.UnencodableRecordException.class);
        byte[] next = codec.frame(7, permit("P-2"));
        assertThat(next).hasSize(WireFormat.HEADER_SIZE + 1 + 3);
        assertThat(decode(next).get("number").toString()).isEqualTo("P-2");
    }

    @Test
    void threadsFramingAtOnceEachGetTheirOwnRecord() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> checks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String prefix = "T" + t + "-";
                checks.add(pool.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        String number = prefix + "y".repeat(i % 300) + i;
                        if (!decode(codec.frame(7, permit(number))).get("number").toString().equals(number)) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> c : checks) {
                assertThat(c.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRecordThatDoesNotFitItsSchemaIsRefusedWithItsSchemaNamed() {
        GenericRecord incomplete = new GenericData.Record(PERMIT);
        assertThatThrownBy(() -> codec.upsert("P-1", 7, incomplete, AT, null))
                .isInstanceOf(SourceEvents.UnencodableRecordException.class)
                .hasMessageContaining("Permit")
                .satisfies(e -> assertThat(((SourceEvents.UnencodableRecordException) e).schemaId()).isEqualTo(7));
    }

    @Test
    void onlyUpsertsAndDeletesAreSourceEvents() {
        assertThatThrownBy(() -> SourceEvents.headers(EventHeaders.OP_RETRACT, AT, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RETRACT");
    }
}
