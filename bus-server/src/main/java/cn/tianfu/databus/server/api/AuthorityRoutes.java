package cn.tianfu.databus.server.api;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import cn.tianfu.databus.accountability.MonthlyReport;
import cn.tianfu.databus.accountability.MonthlyReportFormat;
import cn.tianfu.databus.cli.report.AccountabilityFacts;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.schemas.Department;
import io.javalin.config.JavalinConfig;
import io.javalin.http.HttpResponseException;

/**
 * What only the public data authority reads (the bus's own credentials; 403 for anyone else), as its CLI reads it:
 * <ul>
 * <li>{@code GET /api/v1/departments}: the departments of the bus ({@code databus dept list}, without credentials);</li>
 * <li>{@code GET /api/v1/monthly-report?month=YYYY-MM&format=json|html}: the periodic report of one month per
 * department ({@code databus report monthly}), computed by the same code.</li>
 * </ul>
 */
public final class AuthorityRoutes {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private AuthorityRoutes() {
    }

    /** Adds the routes; the bus's records are read with {@code bus}, the report dated by {@code clock}. */
    public static void register(JavalinConfig config, ApiCalls calls, DatabusClientConfig bus, InstantSource clock) {
        config.routes.get(ApiPaths.DEPARTMENTS, ctx -> {
            calls.authority(ctx, "the list of departments");
            List<Map<String, Object>> out = new ArrayList<>();
            try (Departments departments = Departments.connect(bus, TIMEOUT)) {
                for (Department d : departments.list()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", d.getId());
                    m.put("name", d.getName());
                    m.put("code", d.getCode());
                    m.put("created", d.getCreated() == null ? null : d.getCreated().toString());
                    out.add(m);
                }
            }
            ctx.status(200).json(out);
        });
        config.routes.get(ApiPaths.MONTHLY_REPORT, ctx -> {
            calls.authority(ctx, "the monthly report");
            String month = ctx.queryParam("month");
            if (month == null || month.isBlank()) {
                throw new HttpResponseException(400, "month is required: YYYY-MM, e.g. 2026-12");
            }
            YearMonth ym;
            try {
                ym = YearMonth.parse(month.trim());
            } catch (DateTimeParseException e) {
                throw new HttpResponseException(400, "month '" + month + "' is not a month: use YYYY-MM, e.g. 2026-12");
            }
            String format = ctx.queryParam("format") == null ? "json" : ctx.queryParam("format");
            if (!format.equals("json") && !format.equals("html")) {
                throw new HttpResponseException(400, "format '" + format + "' is unknown: use json or html");
            }
            MonthlyReport report = AccountabilityFacts.monthly(bus, ym, clock.instant());
            if (format.equals("html")) {
                ctx.status(200).contentType("text/html; charset=utf-8")
                        .result(MonthlyReportFormat.html(report).getBytes(StandardCharsets.UTF_8));
            } else {
                ApiCalls.sendJson(ctx, MonthlyReportFormat.json(report));
            }
        });
    }
}
