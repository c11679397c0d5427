package cn.tianfu.databus.opendata;

import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * CSV as RFC 4180 writes it: fields separated by commas, records ended by CRLF, a field quoted with {@code "} when it
 * holds a comma, a quote, CR or LF (or starts or ends with a space), a quote inside a quoted field doubled. A null
 * field is empty.
 */
public final class Csv {

    private Csv() {
    }

    /** One field, quoted when RFC 4180 needs it. */
    public static String field(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        boolean quote = value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' ';
        for (int i = 0; i < value.length() && !quote; i++) {
            char c = value.charAt(i);
            quote = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }

    /** One record: the fields, quoted as needed, separated by commas, ended by CRLF. */
    public static String record(List<String> fields) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(field(fields.get(i)));
        }
        return b.append("\r\n").toString();
    }

    /** Writes one record to {@code out}. */
    public static void write(Writer out, List<String> fields) throws IOException {
        out.write(record(fields));
    }
}
