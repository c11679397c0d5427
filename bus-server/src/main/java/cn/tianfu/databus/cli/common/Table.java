package cn.tianfu.databus.cli.common;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table with aligned columns. Widths count terminal columns, so Chinese (wide) characters take two and
 * the columns still line up; cells longer than {@link #MAX_CELL} columns are cut with an ellipsis.
 *
 * <pre>{@code
 * Table t = new Table("CODE", "NAME");
 * t.row("10101-000001", "人口基础信息");
 * t.print(out);
 * }</pre>
 */
public final class Table {

    static final int MAX_CELL = 40;
    private static final String GAP = "  ";

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... headers) {
        this.headers = List.of(headers);
    }

    public Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + headers.size() + " columns");
        }
        rows.add(Arrays.stream(cells).map(c -> clip(c == null ? "" : c.toString().replaceAll("\\s+", " ").strip())).toList());
        return this;
    }

    public int size() {
        return rows.size();
    }

    public void print(PrintWriter out) {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = width(headers.get(i));
            for (List<String> r : rows) {
                widths[i] = Math.max(widths[i], width(r.get(i)));
            }
        }
        line(out, headers, widths);
        for (List<String> r : rows) {
            line(out, r, widths);
        }
        out.flush();
    }

    private static void line(PrintWriter out, List<String> cells, int[] widths) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            b.append(cell);
            if (i < cells.size() - 1) {
                b.append(" ".repeat(widths[i] - width(cell))).append(GAP);
            }
        }
        out.println(b.toString().stripTrailing());
    }

    /** Terminal columns {@code s} takes: two for East Asian wide and full-width characters, one otherwise. */
    static int width(String s) {
        return s.codePoints().map(Table::width).sum();
    }

    private static int width(int cp) {
        if (Character.getType(cp) == Character.NON_SPACING_MARK || Character.getType(cp) == Character.ENCLOSING_MARK) {
            return 0;
        }
        boolean wide = (cp >= 0x1100 && cp <= 0x115F)
                || (cp >= 0x2E80 && cp <= 0x303E)
                || (cp >= 0x3041 && cp <= 0x33FF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0xA000 && cp <= 0xA4CF)
                || (cp >= 0xAC00 && cp <= 0xD7A3)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0xFE30 && cp <= 0xFE4F)
                || (cp >= 0xFF00 && cp <= 0xFF60)
                || (cp >= 0xFFE0 && cp <= 0xFFE6)
                || (cp >= 0x20000 && cp <= 0x3FFFD);
        return wide ? 2 : 1;
    }

    private static String clip(String s) {
        if (width(s) <= MAX_CELL) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        int w = 0;
        for (int cp : s.codePoints().toArray()) {
            int cw = width(cp);
            if (w + cw > MAX_CELL - 1) {
                break;
            }
            b.appendCodePoint(cp);
            w += cw;
        }
        return b.append('…').toString();
    }
}
