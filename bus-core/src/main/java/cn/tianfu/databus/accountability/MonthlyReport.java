package cn.tianfu.databus.accountability;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.RequestStatus;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationClause;
import cn.tianfu.databus.schemas.ViolationStatus;

/**
 * The authority's monthly report (定期通报): per department, how it kept its duties in one calendar month
 * (Asia/Shanghai). Pure: {@link #compute} counts the records it is given.
 *
 * <pre>{@code
 * MonthlyReport r = MonthlyReport.compute(YearMonth.of(2026, 12), asOf, requests, violations, List.of(), List.of(),
 *         WorkingDayCalendar.bundled().withProvisionalYears());
 * r.rows().get(0).onTimePercent();   // e.g. 75.0
 * }</pre>
 *
 * <p>What is counted, for a department D (see docs/accountability.md):
 * <ul>
 *   <li><b>received</b>: conditional requests (those with a decision due time) to D filed in the month;</li>
 *   <li><b>decided</b>: conditional requests of D approved or rejected in the month; <b>on time</b> those decided by
 *       their due time; <b>median decision time</b> in working days from filing to decision (the working days after
 *       the filing day up to and including the decision day, Asia/Shanghai, on the calendar given);</li>
 *   <li><b>overdue</b>: requests of D due in the month (by {@code asOf}) and not decided by their due time;</li>
 *   <li><b>violations</b> of D detected in the month, by clause of Art. 46 and by their status now;</li>
 *   <li><b>error reports</b> to D reported in the month, and of those answered by their due time;</li>
 *   <li><b>disputes</b> opened in the month with D as either party, and of those still not closed.</li>
 * </ul>
 *
 * @param month the month reported
 * @param from  its first instant (start of the 1st, Asia/Shanghai)
 * @param until the first instant after it
 * @param asOf  when the report was made (a request not yet due at this time is not overdue)
 * @param rows  one per department, by department id
 */
public record MonthlyReport(YearMonth month, Instant from, Instant until, Instant asOf, List<Row> rows) {

    /** Dispute statuses that end a dispute; any other is counted open. */
    public static final Set<String> CLOSED_DISPUTE_STATUSES = Set.of("DECIDED", "RESOLVED", "CLOSED", "WITHDRAWN");

    public MonthlyReport {
        rows = List.copyOf(rows);
    }

    /**
     * One department's month.
     *
     * @param medianDecisionWorkingDays null when nothing was decided
     * @param onTimePercent             decided on time / decided × 100, null when nothing was decided
     */
    public record Row(String department, int received, int decided, int decidedOnTime, Double onTimePercent,
                      Double medianDecisionWorkingDays, int overdue, Map<ViolationClause, Integer> violationsByClause,
                      Map<ViolationStatus, Integer> violationsByStatus, int errorReportsReceived,
                      int errorReportsAnsweredOnTime, int disputes, int disputesOpen) {

        public Row {
            violationsByClause = Collections.unmodifiableMap(new EnumMap<>(violationsByClause.isEmpty()
                    ? new EnumMap<>(ViolationClause.class) : violationsByClause));
            violationsByStatus = Collections.unmodifiableMap(new EnumMap<>(violationsByStatus.isEmpty()
                    ? new EnumMap<>(ViolationStatus.class) : violationsByStatus));
        }

        /** All violations counted for the department. */
        public int violations() {
            return violationsByClause.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** The first instant of {@code month} in Asia/Shanghai. */
    public static Instant start(YearMonth month) {
        return month.atDay(1).atStartOfDay(WorkingDayCalendar.ZONE).toInstant();
    }

    /** The month's report from these records; departments are those any record of the month names. */
    public static MonthlyReport compute(YearMonth month, Instant asOf, Collection<AccessRequest> requests,
                                        Collection<Violation> violations, Collection<ReportFact> reports,
                                        Collection<DisputeFact> disputes, WorkingDayCalendar calendar) {
        Objects.requireNonNull(calendar, "calendar");
        Instant from = start(month);
        Instant until = start(month.plusMonths(1));
        Map<String, Acc> byDept = new TreeMap<>();
        for (AccessRequest r : requests) {
            if (r.getDueAt() == null) {
                continue; // granted at once: no decision duty
            }
            if (in(r.getFiledAt(), from, until)) {
                acc(byDept, r.getProvider()).received++;
            }
            boolean decided = r.getDecidedAt() != null
                    && (r.getStatus() == RequestStatus.APPROVED || r.getStatus() == RequestStatus.REJECTED);
            if (decided && in(r.getDecidedAt(), from, until)) {
                Acc a = acc(byDept, r.getProvider());
                a.decided++;
                if (!r.getDecidedAt().isAfter(r.getDueAt())) {
                    a.onTime++;
                }
                a.decisionDays.add(workingDays(r.getFiledAt(), r.getDecidedAt(), calendar));
            }
            if (in(r.getDueAt(), from, until) && r.getDueAt().isBefore(asOf)) {
                boolean missed = r.getStatus() == RequestStatus.PENDING
                        || decided && r.getDecidedAt().isAfter(r.getDueAt());
                if (missed) {
                    acc(byDept, r.getProvider()).overdue++;
                }
            }
        }
        for (Violation v : violations) {
            if (in(v.getDetectedAt(), from, until)) {
                Acc a = acc(byDept, v.getDepartment());
                a.byClause.merge(v.getClause(), 1, Integer::sum);
                a.byStatus.merge(v.getStatus(), 1, Integer::sum);
            }
        }
        for (ReportFact f : reports) {
            if (in(f.reportedAt(), from, until)) {
                Acc a = acc(byDept, f.provider());
                a.reports++;
                if (f.answeredOnTime()) {
                    a.reportsOnTime++;
                }
            }
        }
        for (DisputeFact f : disputes) {
            if (in(f.openedAt(), from, until)) {
                Set<String> parties = new TreeSet<>();
                parties.add(f.department());
                if (f.counterparty() != null) {
                    parties.add(f.counterparty());
                }
                for (String p : parties) {
                    Acc a = acc(byDept, p);
                    a.disputes++;
                    if (!CLOSED_DISPUTE_STATUSES.contains(f.status())) {
                        a.disputesOpen++;
                    }
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        byDept.forEach((dept, a) -> rows.add(new Row(dept, a.received, a.decided, a.onTime,
                a.decided == 0 ? null : round1(100.0 * a.onTime / a.decided), median(a.decisionDays), a.overdue,
                a.byClause, a.byStatus, a.reports, a.reportsOnTime, a.disputes, a.disputesOpen)));
        return new MonthlyReport(month, from, until, asOf, rows);
    }

    /** Working days after the filing day up to and including the decision day (Asia/Shanghai): decided the same day is 0. */
    public static int workingDays(Instant filedAt, Instant decidedAt, WorkingDayCalendar calendar) {
        LocalDate filed = filedAt.atZone(WorkingDayCalendar.ZONE).toLocalDate();
        LocalDate decided = decidedAt.atZone(WorkingDayCalendar.ZONE).toLocalDate();
        return decided.isBefore(filed) ? 0 : calendar.workingDaysBetween(filed, decided);
    }

    /** The median, the mean of the middle two for an even count; null for none. */
    static Double median(List<Integer> values) {
        if (values.isEmpty()) {
            return null;
        }
        List<Integer> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static boolean in(Instant t, Instant from, Instant until) {
        return t != null && !t.isBefore(from) && t.isBefore(until);
    }

    private static Acc acc(Map<String, Acc> byDept, String dept) {
        return byDept.computeIfAbsent(dept, d -> new Acc());
    }

    /** The clause as the regulation writes it, e.g. {@code 46(五)}. */
    public static String clauseLabel(ViolationClause clause) {
        String[] items = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一"};
        int n = Integer.parseInt(clause.name().substring("ART46_".length()));
        return "46(" + items[n - 1] + ")";
    }

    private static final class Acc {
        int received;
        int decided;
        int onTime;
        int overdue;
        final List<Integer> decisionDays = new ArrayList<>();
        final Map<ViolationClause, Integer> byClause = new EnumMap<>(ViolationClause.class);
        final Map<ViolationStatus, Integer> byStatus = new EnumMap<>(ViolationStatus.class);
        int reports;
        int reportsOnTime;
        int disputes;
        int disputesOpen;
    }
}
