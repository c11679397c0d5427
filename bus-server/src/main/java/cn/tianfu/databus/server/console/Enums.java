package cn.tianfu.databus.server.console;

/** The label of a code the bus's records carry (a status, a class, a category): message key {@code <kind>.<CODE>}, or the code itself. */
public final class Enums {

    private Enums() {
    }

    /** The label of {@code code} of {@code kind} (e.g. {@code sharingClass}, {@code CONDITIONAL}) in the person's language. */
    public static String label(ConsoleRequest r, String kind, String code) {
        String key = kind + "." + code;
        return r.messages().has(key) ? r.t(key) : code;
    }
}
