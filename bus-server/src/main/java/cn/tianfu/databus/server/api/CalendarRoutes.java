package cn.tianfu.databus.server.api;

import java.time.Duration;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import cn.tianfu.databus.calendar.Due;
import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.calendar.admin.Calendars;
import cn.tianfu.databus.client.AvroJson;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.schemas.HolidayCalendar;
import io.javalin.config.JavalinConfig;
import io.javalin.http.HttpResponseException;

/**
 * The working-day calendars deadlines are counted on, as {@code databus calendar list} and {@code calendar due} read
 * them; every caller may read them (holidays are public):
 * <ul>
 * <li>{@code GET /api/v1/calendars}: the calendars loaded on the bus (HolidayCalendar, Avro JSON), by region and year;</li>
 * <li>{@code GET /api/v1/calendars/due?days=N&from=yyyy-MM-dd}: N working days after a date, as governance counts them
 * (counting starts the day after; {@code from} defaults to today in Asia/Shanghai).</li>
 * </ul>
 */
public final class CalendarRoutes {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private CalendarRoutes() {
    }

    /** Adds the routes; the calendars are read with {@code bus}. */
    public static void register(JavalinConfig config, DatabusClientConfig bus, InstantSource clock) {
        config.routes.get(ApiPaths.CALENDARS, ctx -> {
            List<HolidayCalendar> loaded;
            try (Calendars calendars = Calendars.connect(bus, TIMEOUT)) {
                loaded = calendars.list();
            }
            ApiCalls.sendJson(ctx, AvroJson.encode(loaded, HolidayCalendar.class));
        });
        config.routes.get(ApiPaths.CALENDARS + "/due", ctx -> {
            int days = days(ctx.queryParam("days"));
            LocalDate from = from(ctx.queryParam("from"), clock);
            WorkingDayCalendar effective;
            try (Calendars calendars = Calendars.connect(bus, TIMEOUT)) {
                effective = calendars.effective();
            }
            Due due = effective.due(from, days);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("from", from.toString());
            body.put("days", days);
            body.put("due", due.date().toString());
            body.put("dueAt", due.instant().toString());
            body.put("provisional", due.provisional());
            body.put("provisionalYears", due.provisionalYears());
            body.put("calendars", due.calendarSummary());
            ctx.status(200).json(body);
        });
    }

    private static int days(String value) {
        if (value == null || value.isBlank()) {
            throw new HttpResponseException(400, "days is required: the working days to count, e.g. 10");
        }
        try {
            int days = Integer.parseInt(value.trim());
            if (days < 0) {
                throw new HttpResponseException(400, "days must be 0 or more, was " + days);
            }
            return days;
        } catch (NumberFormatException e) {
            throw new HttpResponseException(400, "days must be a whole number, was '" + value + "'");
        }
    }

    private static LocalDate from(String value, InstantSource clock) {
        if (value == null || value.isBlank()) {
            return clock.instant().atZone(WorkingDayCalendar.ZONE).toLocalDate();
        }
        try {
            return LocalDate.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw new HttpResponseException(400, "from must be yyyy-MM-dd, was '" + value + "'");
        }
    }
}
