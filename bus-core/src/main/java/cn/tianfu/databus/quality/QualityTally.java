package cn.tianfu.databus.quality;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import org.apache.avro.generic.GenericRecord;

import cn.tianfu.databus.schemas.DataItem;

/**
 * What the quality checks found in records: how many records were read and how many could not be, how many of their
 * catalogued items were present, and per check ({@link ItemCheck}) how many values were checked and how many were
 * invalid. One record's facts and a resource's totals are both tallies: a resource's tally is the sum of its current
 * records' (a changed record is subtracted, then added again; a deleted one subtracted).
 *
 * <pre>{@code
 * QualityTally total = QualityTally.EMPTY.plus(QualityTally.of(record, entry.getDataItems()));
 * total.invalid(ItemCheck.ID_NUMBER);
 * }</pre>
 */
public final class QualityTally {

    private static final int RECORDS = 0;
    private static final int UNREADABLE = 1;
    private static final int PRESENT = 2;
    private static final int REQUIRED = 3;
    private static final int CHECKS = 4;
    private static final int SIZE = CHECKS + 2 * ItemCheck.NONE.ordinal();

    /** No record. */
    public static final QualityTally EMPTY = new QualityTally(new long[SIZE]);
    /** One record whose value could not be read (bytes that are not Avro, or a schema the registry does not know). */
    public static final QualityTally UNREADABLE_RECORD = EMPTY.with(UNREADABLE, 1);

    private final long[] counts;

    private QualityTally(long[] counts) {
        this.counts = counts;
    }

    /**
     * The facts of one record read as {@code value}, checked against its resource's catalogued {@code items}: every
     * item is required, present when the record has a field of its name holding a value that is not null and, for text,
     * not blank; a present value is checked as {@link ItemCheck#of} says.
     */
    public static QualityTally of(GenericRecord value, List<DataItem> items) {
        long[] c = new long[SIZE];
        c[RECORDS] = 1;
        for (DataItem item : items) {
            c[REQUIRED]++;
            Object v = value.getSchema().getField(item.getName()) == null ? null : value.get(item.getName());
            if (v == null || (v instanceof CharSequence s && s.toString().isBlank())) {
                continue;
            }
            c[PRESENT]++;
            ItemCheck check = ItemCheck.of(item);
            if (check != ItemCheck.NONE) {
                c[checkedIndex(check)]++;
                if (!check.valid(v)) {
                    c[checkedIndex(check) + 1]++;
                }
            }
        }
        return new QualityTally(c);
    }

    public QualityTally plus(QualityTally other) {
        long[] c = counts.clone();
        for (int i = 0; i < SIZE; i++) {
            c[i] += other.counts[i];
        }
        return new QualityTally(c);
    }

    public QualityTally minus(QualityTally other) {
        long[] c = counts.clone();
        for (int i = 0; i < SIZE; i++) {
            c[i] -= other.counts[i];
        }
        return new QualityTally(c);
    }

    /** Records read (their values decoded). */
    public long records() {
        return counts[RECORDS];
    }

    /** Records whose value could not be read. */
    public long unreadable() {
        return counts[UNREADABLE];
    }

    /** Catalogued items present in the records read. */
    public long present() {
        return counts[PRESENT];
    }

    /** Catalogued items expected in the records read: records × items. */
    public long required() {
        return counts[REQUIRED];
    }

    /** Present values given {@code check}. */
    public long checked(ItemCheck check) {
        return check == ItemCheck.NONE ? 0 : counts[checkedIndex(check)];
    }

    /** Values that failed {@code check}. */
    public long invalid(ItemCheck check) {
        return check == ItemCheck.NONE ? 0 : counts[checkedIndex(check) + 1];
    }

    /** Every value checked, by any check. */
    public long checked() {
        long n = 0;
        for (ItemCheck c : ItemCheck.values()) {
            n += checked(c);
        }
        return n;
    }

    /** Every value that failed its check. */
    public long invalid() {
        long n = 0;
        for (ItemCheck c : ItemCheck.values()) {
            n += invalid(c);
        }
        return n;
    }

    public boolean isEmpty() {
        return Arrays.stream(counts).allMatch(v -> v == 0);
    }

    /** The tally as bytes (big-endian longs), for a state store. */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE * Long.BYTES);
        for (long v : counts) {
            b.putLong(v);
        }
        return b.array();
    }

    /** The tally {@link #toBytes} wrote. */
    public static QualityTally fromBytes(byte[] bytes) {
        if (bytes.length != SIZE * Long.BYTES) {
            throw new IllegalArgumentException("a quality tally is " + SIZE * Long.BYTES + " bytes, got " + bytes.length);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long[] c = new long[SIZE];
        for (int i = 0; i < SIZE; i++) {
            c[i] = b.getLong();
        }
        return new QualityTally(c);
    }

    private QualityTally with(int index, long value) {
        long[] c = counts.clone();
        c[index] = value;
        return new QualityTally(c);
    }

    private static int checkedIndex(ItemCheck check) {
        return CHECKS + 2 * check.ordinal();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QualityTally t && Arrays.equals(counts, t.counts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "QualityTally" + Arrays.toString(counts);
    }
}
