package cn.tianfu.databus.serde.internal;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;

/** A generic reader that returns Avro strings (values and map keys) as {@link String}, not {@code Utf8}. */
public final class StringGenericDatumReader<T> extends GenericDatumReader<T> {

    public StringGenericDatumReader(Schema writer, Schema reader) {
        super(writer, reader, GenericData.get());
    }

    @Override
    protected Class<?> findStringClass(Schema schema) {
        return String.class;
    }
}
