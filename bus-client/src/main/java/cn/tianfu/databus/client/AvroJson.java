package cn.tianfu.databus.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Lists of the bus's records as JSON in Avro's JSON encoding (a JSON array of records), the body the HTTP API's views
 * answer with: the bus writes with the record's schema, the SDK reads with the same generated class.
 */
public final class AvroJson {

    private AvroJson() {
    }

    /** {@code records} as an Avro-JSON array. */
    public static <T extends SpecificRecord> String encode(List<T> records, Class<T> type) {
        SpecificData data = SpecificData.getForClass(type);
        Schema array = Schema.createArray(data.getSchema(type));
        DatumWriter<List<T>> writer = new SpecificDatumWriter<>(array, data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Encoder encoder = EncoderFactory.get().jsonEncoder(array, out);
            writer.write(records, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * The records of an Avro-JSON array.
     *
     * @throws IOException when {@code json} is not such an array of {@code type}
     */
    public static <T extends SpecificRecord> List<T> decode(String json, Class<T> type) throws IOException {
        SpecificData data = SpecificData.getForClass(type);
        Schema array = Schema.createArray(data.getSchema(type));
        DatumReader<List<T>> reader = new SpecificDatumReader<>(array, array, data);
        List<T> out = reader.read(null, DecoderFactory.get().jsonDecoder(array, json));
        return List.copyOf(out);
    }
}
