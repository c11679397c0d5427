package cn.tianfu.databus.calendar.admin;

import cn.tianfu.databus.kafka.BoundedClients;
import cn.tianfu.databus.calendar.CalendarRecords;
import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.calendar.YearCalendar;
import cn.tianfu.databus.contract.Principals;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.governance.client.GovernanceException;
import cn.tianfu.databus.kafka.CompactedTopicReader;
import cn.tianfu.databus.schemas.HolidayCalendar;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.contract.Topics;

/**
 * The calendars on {@code bus.calendars}, read and loaded with the bus's own connection (its principal is the only
 * one that writes the topic).
 *
 * <pre>{@code
 * try (Calendars calendars = Calendars.connect(busConfig, Duration.ofSeconds(10))) {
 *     YearCalendar notice = WorkingDayCalendar.load(Path.of("cn-2027.cal")).calendarOf(2027);
 *     calendars.load(notice, false, Instant.now());   // OFFICIAL from now on; the provisional year is in its history
 *     calendars.effective().due(LocalDate.of(2026, 12, 20), 10).describe();
 * }
 * }</pre>
 */
public final class Calendars implements AutoCloseable {

    private final Producer<String, HolidayCalendar> producer;
    private final CompactedTopicReader<HolidayCalendar> reader;
    private final Duration timeout;

    private Calendars(DatabusClientConfig bus, Duration timeout) {
        this.timeout = timeout;
        BoundedClients clients = BoundedClients.of(bus, timeout);
        AvroSerde<HolidayCalendar> serde = AvroSerde.specific(HolidayCalendar.class);
        serde.configure(new HashMap<>(bus.serdeConfig()), false);
        this.producer = new KafkaProducer<>(clients.producer(), new StringSerializer(), serde.serializer());
        this.reader = new CompactedTopicReader<>(Topics.CALENDARS, clients.reader(), serde.deserializer(),
                r -> CalendarRecords.key(r.getRegion(), r.getYear()), timeout);
    }

    /**
     * Connects with the bus's own client config; nothing is contacted until the first call.
     *
     * @param bus the bus principal's client config ({@code <data-dir>/clients/bus.properties})
     */
    public static Calendars connect(DatabusClientConfig bus, Duration timeout) {
        return new Calendars(Objects.requireNonNull(bus, "bus"), Objects.requireNonNull(timeout, "timeout"));
    }

    /** Every calendar on the topic, by region and year. */
    public List<HolidayCalendar> list() {
        return call("read " + Topics.CALENDARS, () -> reader.refresh().values().stream()
                .sorted(Comparator.comparing(HolidayCalendar::getRegion).thenComparing(HolidayCalendar::getYear)).toList());
    }

    /** The calendar of a region's year on the topic, if loaded. */
    public Optional<HolidayCalendar> find(String region, int year) {
        String key = CalendarRecords.key(region, year);
        return list().stream().filter(r -> CalendarRecords.key(r.getRegion(), r.getYear()).equals(key)).findFirst();
    }

    /**
     * Loads a mainland year (see {@link CalendarRecords#loading} for what it may replace and the history it keeps).
     *
     * @return the record written
     */
    public HolidayCalendar load(YearCalendar year, boolean replaceOfficial, Instant now) {
        String region = CalendarRecords.REGION_CN;
        HolidayCalendar record = CalendarRecords.loading(year, region, find(region, year.year()), replaceOfficial,
                now.truncatedTo(ChronoUnit.MILLIS));
        send(record);
        return record;
    }

    /**
     * Writes every year of {@code bundled} that the topic does not hold yet (a year already there, loaded or corrected
     * by the authority, is never overwritten); returns the years written.
     */
    public List<Integer> seed(WorkingDayCalendar bundled, Instant now) {
        List<Integer> written = new ArrayList<>();
        for (int year : bundled.years()) {
            if (find(CalendarRecords.REGION_CN, year).isEmpty()) {
                send(CalendarRecords.toRecord(bundled.calendarOf(year), CalendarRecords.REGION_CN,
                        now.truncatedTo(ChronoUnit.MILLIS), List.of()));
                written.add(year);
            }
        }
        return written;
    }

    /** What governance counts on: the bundled years, the loaded ones over them, every other year provisional. */
    public WorkingDayCalendar effective() {
        return CalendarRecords.effective(WorkingDayCalendar.bundled(), list(), CalendarRecords.REGION_CN, problem -> { });
    }

    private void send(HolidayCalendar record) {
        call("write " + Topics.CALENDARS, () -> producer.send(new ProducerRecord<>(Topics.CALENDARS,
                CalendarRecords.key(record.getRegion(), record.getYear()), record)).get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    }

    private <T> T call(String action, Callable<T> step) {
        return GovernanceException.call(Principals.BUS_PRINCIPAL, action, step);
    }

    @Override
    public void close() {
        reader.close();
        producer.close(Duration.ofSeconds(2));
    }
}
