package cn.tianfu.databus.ledger.internal;

/** Lowercase hexadecimal, without allocation on the decoding side. */
public final class Hex {

    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Hex() {
    }

    /** Lowercase hex of {@code bytes[0..length)}. */
    public static String encode(byte[] bytes, int length) {
        char[] out = new char[length * 2];
        for (int i = 0; i < length; i++) {
            int b = bytes[i] & 0xff;
            out[2 * i] = DIGITS[b >>> 4];
            out[2 * i + 1] = DIGITS[b & 0x0f];
        }
        return new String(out);
    }

    /** Lowercase hex of all of {@code bytes}. */
    public static String encode(byte[] bytes) {
        return encode(bytes, bytes.length);
    }

    /**
     * Decodes {@code hex} (either case) into {@code into}; false when it is null, not exactly
     * {@code 2 * into.length} characters long, or holds a non-hex character.
     */
    public static boolean decode(CharSequence hex, byte[] into) {
        if (hex == null || hex.length() != into.length * 2) {
            return false;
        }
        for (int i = 0; i < into.length; i++) {
            int hi = Character.digit(hex.charAt(2 * i), 16);
            int lo = Character.digit(hex.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                return false;
            }
            into[i] = (byte) ((hi << 4) | lo);
        }
        return true;
    }

    /** Whether {@code hex} is exactly the lowercase or uppercase hex of {@code bytes}. */
    public static boolean matches(CharSequence hex, byte[] bytes) {
        if (hex == null || hex.length() != bytes.length * 2) {
            return false;
        }
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            if (Character.digit(hex.charAt(2 * i), 16) != (b >>> 4)
                    || Character.digit(hex.charAt(2 * i + 1), 16) != (b & 0x0f)) {
                return false;
            }
        }
        return true;
    }
}
