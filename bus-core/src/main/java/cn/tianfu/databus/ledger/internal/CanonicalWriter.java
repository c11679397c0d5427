package cn.tianfu.databus.ledger.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes the ledger's canonical encoding into a reusable buffer. Every field is one presence byte ({@code 0x00}
 * absent, {@code 0x01} present) followed, when present, by the value: text as a 4-byte big-endian byte length and
 * the UTF-8 bytes; int32 as 4 and int64 as 8 big-endian bytes. Not thread-safe; {@link #reset()} to reuse.
 */
public final class CanonicalWriter {

    private static final byte ABSENT = 0x00;
    private static final byte PRESENT = 0x01;

    private byte[] buf = new byte[512];
    private int size;

    public CanonicalWriter reset() {
        size = 0;
        return this;
    }

    public CanonicalWriter rawByte(int b) {
        ensure(1);
        buf[size++] = (byte) b;
        return this;
    }

    public CanonicalWriter text(String s) {
        if (s == null) {
            return rawByte(ABSENT);
        }
        rawByte(PRESENT);
        int n = s.length();
        boolean ascii = true;
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            rawInt(n);
            ensure(n);
            for (int i = 0; i < n; i++) {
                buf[size++] = (byte) s.charAt(i);
            }
        } else {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            rawInt(utf8.length);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, buf, size, utf8.length);
            size += utf8.length;
        }
        return this;
    }

    public CanonicalWriter int32(Integer v) {
        if (v == null) {
            return rawByte(ABSENT);
        }
        rawByte(PRESENT);
        return rawInt(v);
    }

    public CanonicalWriter int64(Long v) {
        if (v == null) {
            return rawByte(ABSENT);
        }
        rawByte(PRESENT);
        long x = v;
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (x >>> shift);
        }
        return this;
    }

    private CanonicalWriter rawInt(int x) {
        ensure(4);
        buf[size++] = (byte) (x >>> 24);
        buf[size++] = (byte) (x >>> 16);
        buf[size++] = (byte) (x >>> 8);
        buf[size++] = (byte) x;
        return this;
    }

    /** The internal buffer; valid bytes are {@code [0, size())}. */
    public byte[] buffer() {
        return buf;
    }

    public int size() {
        return size;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
        }
    }
}
