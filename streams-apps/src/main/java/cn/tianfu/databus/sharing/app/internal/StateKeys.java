package cn.tianfu.databus.sharing.app.internal;

/** Keys of the router's per-task stores; the parts are joined by NUL, which no topic name or grant id contains. */
final class StateKeys {

    static final char SEP = '\u0000';
    /** The value of a store entry whose presence is all it says. */
    static final byte[] PRESENT = {1};

    private StateKeys() {
    }

    /** Key of {@code router-latest}: {@code <sourceTopic> NUL <key>}. */
    static String latest(String sourceTopic, String keyText) {
        return sourceTopic + SEP + keyText;
    }

    /** Key of {@code router-received}: {@code <grantId> NUL <sourceTopic> NUL <key>}. */
    static String received(String grantId, String sourceTopic, String keyText) {
        return grantId + SEP + sourceTopic + SEP + keyText;
    }

    /** A key for a log line ({@code NUL} shown as {@code /}). */
    static String printable(String key) {
        return key.replace(SEP, '/');
    }
}
