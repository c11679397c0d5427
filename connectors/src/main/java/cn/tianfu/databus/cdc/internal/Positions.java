package cn.tianfu.databus.cdc.internal;


import org.apache.kafka.connect.data.Struct;

import cn.tianfu.databus.contract.SourcePositions;

/**
 * The source position ({@link SourcePositions}) of a Debezium change event, from its {@code source} block:
 * <ul>
 *   <li>PostgreSQL: {@code pg:<commit LSN>:<event LSN>}, 16 hex digits each. The commit part is the first element of
 *       Debezium's {@code sequence} (the LSN up to which transactions had committed when the event's transaction
 *       was decoded), which grows in commit order; snapshot rows carry the snapshot's LSN in both parts;</li>
 *   <li>MySQL/MariaDB: {@code binlog:<file index>:<position>:<row>}, 10, 12 and 6 digits: the binlog file's numeric
 *       suffix, the event's position in it and the row within the event; snapshot rows carry the snapshot's binlog
 *       position.</li>
 * </ul>
 */
public final class Positions {

    private Positions() {
    }

    /** The position of an event with this {@code source} block. */
    public static String of(Struct source) {
        String connector = source.getString("connector");
        if ("postgresql".equals(connector)) {
            long lsn = source.getInt64("lsn");
            long commit = lsn;
            String sequence = source.schema().field("sequence") == null ? null : source.getString("sequence");
            if (!snapshot(source) && sequence != null) {
                String first = firstOfSequence(sequence);
                if (first != null) {
                    commit = Long.parseLong(first);
                }
            }
            StringBuilder b = new StringBuilder(36).append("pg:");
            appendHex16(b, commit);
            return appendHex16(b.append(':'), lsn).toString();
        }
        String file = source.getString("file");
        long pos = source.getInt64("pos");
        Integer row = source.schema().field("row") == null ? null : source.getInt32("row");
        long index = Long.parseLong(file.substring(file.lastIndexOf('.') + 1));
        StringBuilder b = new StringBuilder(37).append("binlog:");
        appendDigits(b, index, 10).append(':');
        appendDigits(b, pos, 12).append(':');
        return appendDigits(b, row == null || snapshot(source) ? 0 : row, 6).toString();
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** {@code v} as 16 lower-case hex digits, zero-padded (as {@code %016x}). */
    static String hex16(long v) {
        return appendHex16(new StringBuilder(16), v).toString();
    }

    private static StringBuilder appendHex16(StringBuilder b, long v) {
        for (int shift = 60; shift >= 0; shift -= 4) {
            b.append(HEX[(int) (v >>> shift) & 0xf]);
        }
        return b;
    }

    /** A non-negative {@code v} in decimal, zero-padded to {@code width} digits (as {@code %0<width>d}). */
    static String digits(long v, int width) {
        return appendDigits(new StringBuilder(width), v, width).toString();
    }

    private static StringBuilder appendDigits(StringBuilder b, long v, int width) {
        int size = v < 0 ? Long.toString(v).length() : stringSize(v);
        for (int i = size; i < width; i++) {
            b.append('0');
        }
        return b.append(v);
    }

    /** The number of decimal digits of a non-negative {@code v}. */
    private static int stringSize(long v) {
        long p = 10;
        for (int i = 1; i < 19; i++) {
            if (v < p) {
                return i;
            }
            p *= 10;
        }
        return 19;
    }

    /** Whether the event was read by a snapshot rather than from the log. */
    public static boolean snapshot(Struct source) {
        Object s = source.schema().field("snapshot") == null ? null : source.get("snapshot");
        return s != null && !"false".equals(s.toString());
    }

    /** {@code ["123","456"]} → {@code 123}; null for {@code [null,"456"]}. */
    static String firstOfSequence(String sequence) {
        String inner = sequence.trim();
        if (inner.startsWith("[")) {
            inner = inner.substring(1);
        }
        int comma = inner.indexOf(',');
        String first = (comma < 0 ? inner : inner.substring(0, comma)).trim();
        if (first.startsWith("\"")) {
            first = first.substring(1, first.length() - 1);
        }
        return first.isEmpty() || first.equals("null") ? null : first;
    }
}
