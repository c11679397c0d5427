package cn.tianfu.databus.server.console;

import java.time.InstantSource;
import java.util.OptionalLong;
import java.util.function.Supplier;

import cn.tianfu.databus.calendar.WorkingDayCalendar;

/**
 * What console pages read besides the HTTP API: the clock (the same one sessions expire on), the working-day calendar
 * deadlines are counted on, and how many records the bus delivered to a consumer of a resource.
 *
 * @param clock      the time pages show "days left" against
 * @param calendar   the effective working-day calendar, as governance counts deadlines
 * @param deliveries records of a resource delivered to a consumer, as the exchange log counts them; empty when unknown
 */
public record ConsoleServices(InstantSource clock, Supplier<WorkingDayCalendar> calendar, Deliveries deliveries) {

    /** Records delivered to {@code consumer} of {@code resource}. */
    @FunctionalInterface
    public interface Deliveries {
        OptionalLong count(String consumer, String resource);

        Deliveries UNKNOWN = (consumer, resource) -> OptionalLong.empty();
    }
}
