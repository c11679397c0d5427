package cn.tianfu.databus.accountability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import cn.tianfu.databus.schemas.ViolationClause;
import cn.tianfu.databus.schemas.ViolationStatus;

/**
 * The monthly report written out: {@link #text} (a table), {@link #csv} (UTF-8, a header row, one row per
 * department), {@link #json} and {@link #html} (one self-contained page: inline CSS, SVG bar charts drawn here, no
 * script, nothing loaded from elsewhere; every text escaped).
 */
public final class MonthlyReportFormat {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The CSV header, in column order. */
    public static final List<String> CSV_HEADER = header();

    private MonthlyReportFormat() {
    }

    private static List<String> header() {
        List<String> h = new ArrayList<>(List.of("month", "department", "requests_received", "requests_decided",
                "decided_on_time", "on_time_pct", "median_decision_working_days", "overdue", "violations"));
        for (ViolationClause c : ViolationClause.values()) {
            h.add("violations_" + c.name());
        }
        for (ViolationStatus s : ViolationStatus.values()) {
            h.add("violations_" + s.name());
        }
        h.addAll(List.of("error_reports_received", "error_reports_answered_on_time", "disputes", "disputes_open"));
        return List.copyOf(h);
    }

    /** The report as CSV (RFC 4180 quoting, CRLF line ends), header first. */
    public static String csv(MonthlyReport r) {
        StringBuilder b = new StringBuilder();
        b.append(String.join(",", CSV_HEADER)).append("\r\n");
        for (MonthlyReport.Row row : r.rows()) {
            List<String> cells = new ArrayList<>(List.of(r.month().toString(), row.department(),
                    Integer.toString(row.received()), Integer.toString(row.decided()), Integer.toString(row.decidedOnTime()),
                    number(row.onTimePercent()), number(row.medianDecisionWorkingDays()), Integer.toString(row.overdue()),
                    Integer.toString(row.violations())));
            for (ViolationClause c : ViolationClause.values()) {
                cells.add(Integer.toString(row.violationsByClause().getOrDefault(c, 0)));
            }
            for (ViolationStatus s : ViolationStatus.values()) {
                cells.add(Integer.toString(row.violationsByStatus().getOrDefault(s, 0)));
            }
            cells.addAll(List.of(Integer.toString(row.errorReportsReceived()), Integer.toString(row.errorReportsAnsweredOnTime()),
                    Integer.toString(row.disputes()), Integer.toString(row.disputesOpen())));
            b.append(String.join(",", cells.stream().map(MonthlyReportFormat::csvCell).toList())).append("\r\n");
        }
        return b.toString();
    }

    /** The report as one JSON object: the month, its bounds, and a row per department (clauses as {@code 46(五)}). */
    public static String json(MonthlyReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("month", r.month().toString());
        m.put("from", r.from().toString());
        m.put("until", r.until().toString());
        m.put("asOf", r.asOf().toString());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (MonthlyReport.Row row : r.rows()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("department", row.department());
            d.put("requestsReceived", row.received());
            d.put("requestsDecided", row.decided());
            d.put("decidedOnTime", row.decidedOnTime());
            d.put("onTimePercent", row.onTimePercent());
            d.put("medianDecisionWorkingDays", row.medianDecisionWorkingDays());
            d.put("overdue", row.overdue());
            d.put("violations", row.violations());
            Map<String, Integer> byClause = new LinkedHashMap<>();
            row.violationsByClause().forEach((c, n) -> byClause.put(MonthlyReport.clauseLabel(c), n));
            d.put("violationsByClause", byClause);
            Map<String, Integer> byStatus = new LinkedHashMap<>();
            row.violationsByStatus().forEach((s, n) -> byStatus.put(s.name(), n));
            d.put("violationsByStatus", byStatus);
            d.put("errorReportsReceived", row.errorReportsReceived());
            d.put("errorReportsAnsweredOnTime", row.errorReportsAnsweredOnTime());
            d.put("disputes", row.disputes());
            d.put("disputesOpen", row.disputesOpen());
            rows.add(d);
        }
        m.put("departments", rows);
        try {
            return JSON.writeValueAsString(m) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The report as an aligned text table. */
    public static String text(MonthlyReport r) {
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[] {"DEPT", "RECEIVED", "DECIDED", "ON TIME", "ON TIME %", "MEDIAN WD", "OVERDUE",
                "VIOLATIONS", "BY CLAUSE", "ERR REPORTS", "ANSWERED ON TIME", "DISPUTES", "OPEN"});
        for (MonthlyReport.Row row : r.rows()) {
            lines.add(new String[] {row.department(), Integer.toString(row.received()), Integer.toString(row.decided()),
                    Integer.toString(row.decidedOnTime()), dash(row.onTimePercent()), dash(row.medianDecisionWorkingDays()),
                    Integer.toString(row.overdue()), Integer.toString(row.violations()), byClause(row),
                    Integer.toString(row.errorReportsReceived()), Integer.toString(row.errorReportsAnsweredOnTime()),
                    Integer.toString(row.disputes()), Integer.toString(row.disputesOpen())});
        }
        int[] width = new int[lines.get(0).length];
        for (String[] l : lines) {
            for (int i = 0; i < l.length; i++) {
                width[i] = Math.max(width[i], l[i].codePointCount(0, l[i].length()));
            }
        }
        StringBuilder b = new StringBuilder("定期通报 (Monthly report) " + r.month() + " (Asia/Shanghai), as of " + r.asOf()
                + "\n");
        for (String[] l : lines) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < l.length; i++) {
                line.append(l[i]).append(" ".repeat(width[i] - l[i].codePointCount(0, l[i].length()) + 2));
            }
            b.append(line.toString().stripTrailing()).append('\n');
        }
        if (r.rows().isEmpty()) {
            b.append("(no department had a request, violation, error report or dispute in ").append(r.month()).append(")\n");
        }
        return b.toString();
    }

    /** The report as one self-contained HTML page with two SVG bar charts. */
    public static String html(MonthlyReport r) {
        StringBuilder b = new StringBuilder();
        String title = "公共数据共享定期通报 (Monthly accountability report) " + r.month();
        b.append("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"UTF-8\"/>\n<title>").append(esc(title))
                .append("</title>\n<style>\nbody{font-family:sans-serif;margin:2em;color:#222}"
                        + "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:4px 8px;text-align:right}"
                        + "th{background:#eef}td.l,th.l{text-align:left}figure{margin:1em 0}figcaption{font-weight:bold}\n"
                        + "</style>\n</head>\n<body>\n");
        b.append("<h1>").append(esc(title)).append("</h1>\n<p>").append(esc("统计期间 (Period): " + r.from() + " – "
                + r.until() + " (Asia/Shanghai month); 生成时间 (As of): " + r.asOf())).append("</p>\n");
        b.append("<table>\n<thead><tr>");
        for (String h : List.of("部门 (Department)", "收到申请 (Requests received)", "已决定 (Decided)",
                "按时决定 (On time)", "按时率 (On-time %)", "决定用时中位数 (Median working days)", "逾期 (Overdue)",
                "违规 (Violations)", "按条款 (By clause)", "按状态 (By status)", "校核申请 (Error reports)",
                "按时答复 (Answered on time)", "异议 (Disputes)", "未结异议 (Open disputes)")) {
            b.append("<th").append(h.startsWith("部门") ? " class=\"l\"" : "").append('>').append(esc(h)).append("</th>");
        }
        b.append("</tr></thead>\n<tbody>\n");
        for (MonthlyReport.Row row : r.rows()) {
            b.append("<tr><td class=\"l\">").append(esc(row.department())).append("</td>");
            for (String cell : List.of(Integer.toString(row.received()), Integer.toString(row.decided()),
                    Integer.toString(row.decidedOnTime()), dash(row.onTimePercent()), dash(row.medianDecisionWorkingDays()),
                    Integer.toString(row.overdue()), Integer.toString(row.violations()), byClause(row), byStatus(row),
                    Integer.toString(row.errorReportsReceived()), Integer.toString(row.errorReportsAnsweredOnTime()),
                    Integer.toString(row.disputes()), Integer.toString(row.disputesOpen()))) {
                b.append("<td>").append(esc(cell)).append("</td>");
            }
            b.append("</tr>\n");
        }
        b.append("</tbody>\n</table>\n");
        List<Bar> onTime = new ArrayList<>();
        for (MonthlyReport.Row row : r.rows()) {
            if (row.onTimePercent() != null) {
                onTime.add(new Bar(row.department(), row.onTimePercent(), dash(row.onTimePercent()) + "%"));
            }
        }
        b.append(chart("chart-on-time", "按时决定率 (On-time decision rate, %)", onTime, 100.0));
        Map<ViolationClause, Integer> total = new LinkedHashMap<>();
        for (MonthlyReport.Row row : r.rows()) {
            row.violationsByClause().forEach((c, n) -> total.merge(c, n, Integer::sum));
        }
        List<Bar> clauses = new ArrayList<>();
        for (ViolationClause c : ViolationClause.values()) {
            if (total.containsKey(c)) {
                clauses.add(new Bar("第" + MonthlyReport.clauseLabel(c) + "项 (Art. " + c.name().substring(3).replace('_', '.')
                        + ")", total.get(c), Integer.toString(total.get(c))));
            }
        }
        double max = clauses.stream().mapToDouble(Bar::value).max().orElse(1);
        b.append(chart("chart-violations", "违规行为（按第四十六条各项）(Violations by clause of Art. 46)", clauses, max));
        b.append("</body>\n</html>\n");
        return b.toString();
    }

    private record Bar(String label, double value, String shown) {
    }

    /** A horizontal bar chart as inline SVG: one bar per entry, scaled to {@code max}. */
    private static String chart(String id, String caption, List<Bar> bars, double max) {
        int labelWidth = 260;
        int barWidth = 400;
        int rowHeight = 28;
        int height = Math.max(1, bars.size()) * rowHeight + 10;
        StringBuilder b = new StringBuilder();
        b.append("<figure>\n<figcaption>").append(esc(caption)).append("</figcaption>\n");
        b.append("<svg id=\"").append(id).append("\" xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(labelWidth + barWidth + 80).append("\" height=\"").append(height)
                .append("\" role=\"img\" aria-label=\"").append(esc(caption)).append("\">\n");
        if (bars.isEmpty()) {
            b.append("<text x=\"0\" y=\"20\" font-size=\"13\">").append(esc("无数据 (no data)")).append("</text>\n");
        }
        for (int i = 0; i < bars.size(); i++) {
            Bar bar = bars.get(i);
            int y = i * rowHeight + 5;
            long w = max <= 0 ? 0 : Math.round(barWidth * Math.min(bar.value(), max) / max);
            b.append("<text x=\"").append(labelWidth - 8).append("\" y=\"").append(y + 17)
                    .append("\" font-size=\"13\" text-anchor=\"end\">").append(esc(bar.label())).append("</text>");
            b.append("<rect class=\"bar\" x=\"").append(labelWidth).append("\" y=\"").append(y).append("\" width=\"").append(w)
                    .append("\" height=\"").append(rowHeight - 8).append("\" fill=\"#3b6fb6\"><title>")
                    .append(esc(bar.label() + ": " + bar.shown())).append("</title></rect>");
            b.append("<text x=\"").append(labelWidth + w + 6).append("\" y=\"").append(y + 17).append("\" font-size=\"13\">")
                    .append(esc(bar.shown())).append("</text>\n");
        }
        b.append("</svg>\n</figure>\n");
        return b.toString();
    }

    /** Text escaped for HTML content and attribute values. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String byClause(MonthlyReport.Row row) {
        List<String> parts = new ArrayList<>();
        row.violationsByClause().forEach((c, n) -> parts.add(MonthlyReport.clauseLabel(c) + "=" + n));
        return parts.isEmpty() ? "-" : String.join(" ", parts);
    }

    private static String byStatus(MonthlyReport.Row row) {
        List<String> parts = new ArrayList<>();
        row.violationsByStatus().forEach((s, n) -> parts.add(s.name() + "=" + n));
        return parts.isEmpty() ? "-" : String.join(" ", parts);
    }

    private static String number(Double d) {
        if (d == null) {
            return "";
        }
        return d == Math.rint(d) ? Long.toString(d.longValue()) : String.format(Locale.ROOT, "%.1f", d);
    }

    private static String dash(Double d) {
        return d == null ? "-" : number(d);
    }

    private static String csvCell(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
