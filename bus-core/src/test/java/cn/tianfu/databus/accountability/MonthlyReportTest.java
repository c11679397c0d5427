package cn.tianfu.databus.accountability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.calendar.WorkingDayCalendar;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.DutyKind;
import cn.tianfu.databus.schemas.RequestStatus;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationClause;
import cn.tianfu.databus.schemas.ViolationStatus;

/**
 * The monthly report for December 2026 on known records. December 2026 has no holiday on the bundled calendar: its
 * working days are Monday to Friday.
 */
class MonthlyReportTest {

    static final WorkingDayCalendar CALENDAR = WorkingDayCalendar.bundled().withProvisionalYears();
    static final YearMonth DEC = YearMonth.of(2026, 12);
    static final Instant AS_OF = t("2027-01-05T10:00");

    /** A local time in Asia/Shanghai. */
    static Instant t(String local) {
        return OffsetDateTime.parse(local + "+08:00").toInstant();
    }

    static Instant endOf(String day) {
        return t(day + "T23:59:59.999");
    }

    static AccessRequest req(String id, String provider, Instant filed, Instant due, RequestStatus status, Instant decided) {
        return AccessRequest.newBuilder().setRequestId(id).setResourceCode("c").setProvider(provider).setConsumer("hrss")
                .setPurpose("p").setMethod(SharingMethod.PUSH).setStatus(status).setFiledAt(filed).setDueAt(due)
                .setDecidedAt(decided).build();
    }

    static Violation violation(String id, String dept, ViolationClause clause, Instant detected, ViolationStatus status) {
        return Violation.newBuilder().setId(id).setClause(clause).setDepartment(dept).setDuty(DutyKind.DECIDE_REQUEST)
                .setSubjectId(id).setDueAt(detected).setDetectedAt(detected).setDescription("d <b>&</b>")
                .setStatus(status).build();
    }

    static MonthlyReport report() {
        List<AccessRequest> requests = new ArrayList<>();
        // filed in November, decided on time in December after 3 working days (Dec 1, 2, 3)
        requests.add(req("R1", "psb", t("2026-11-30T10:00"), endOf("2026-12-14"), RequestStatus.APPROVED, t("2026-12-03T09:00")));
        // decided late: 11 working days (Dec 2-4, 7-11, 14-16); overdue
        requests.add(req("R2", "psb", t("2026-12-01T09:00"), endOf("2026-12-15"), RequestStatus.REJECTED, t("2026-12-16T10:00")));
        // never decided: overdue
        requests.add(req("R3", "psb", t("2026-12-02T09:00"), endOf("2026-12-16"), RequestStatus.PENDING, null));
        // Thursday to Monday: 2 working days (Fri 4, Mon 7)
        requests.add(req("R4", "psb", t("2026-12-03T10:00"), endOf("2026-12-17"), RequestStatus.APPROVED, t("2026-12-07T10:00")));
        // filed in the last half hour of December in Shanghai (still December 31 in UTC too): received, due in January
        requests.add(req("R5", "psb", t("2026-12-31T23:30"), endOf("2027-01-15"), RequestStatus.PENDING, null));
        // 2026-11-30T17:00Z is December 1 in Shanghai: received in December; withdrawn, neither decided nor overdue
        requests.add(req("R6", "psb", Instant.parse("2026-11-30T17:00:00Z"), endOf("2026-12-15"), RequestStatus.WITHDRAWN,
                t("2026-12-02T10:00")));
        // unconditional: granted at once, no decision duty
        requests.add(req("R7", "psb", t("2026-12-10T10:00"), null, RequestStatus.APPROVED, t("2026-12-10T10:00")));
        // 2026-12-31T16:30Z is January 1 in Shanghai: not December
        requests.add(req("R8", "psb", Instant.parse("2026-12-31T16:30:00Z"), endOf("2027-01-15"), RequestStatus.PENDING, null));
        // edu decides the same day: 0 working days
        requests.add(req("E1", "edu", t("2026-12-08T09:00"), endOf("2026-12-22"), RequestStatus.APPROVED, t("2026-12-08T17:00")));

        List<Violation> violations = List.of(
                violation("46-5:R2", "psb", ViolationClause.ART46_5, endOf("2026-12-15"), ViolationStatus.RECTIFIED),
                violation("46-5:R3", "psb", ViolationClause.ART46_5, endOf("2026-12-16"), ViolationStatus.OPEN),
                violation("46-4:N1", "psb", ViolationClause.ART46_4, t("2027-01-02T10:00"), ViolationStatus.OPEN),
                violation("46-2:X1", "edu", ViolationClause.ART46_2, t("2026-12-20T10:00"), ViolationStatus.ESCALATED));
        List<ReportFact> reports = List.of(
                new ReportFact("psb", "edu", t("2026-12-05T10:00"), endOf("2026-12-19"), t("2026-12-10T10:00")),
                new ReportFact("psb", "hrss", t("2026-12-20T10:00"), endOf("2027-01-05"), null),
                new ReportFact("psb", "hrss", t("2026-11-20T10:00"), endOf("2026-12-04"), t("2026-12-01T10:00")));
        List<DisputeFact> disputes = List.of(
                new DisputeFact("edu", "psb", t("2026-12-08T10:00"), "NEGOTIATING"),
                new DisputeFact("hrss", "psb", t("2026-12-09T10:00"), "DECIDED"),
                new DisputeFact("hrss", "psb", t("2026-11-20T10:00"), "NEGOTIATING"));
        return MonthlyReport.compute(DEC, AS_OF, requests, violations, reports, disputes, CALENDAR);
    }

    static MonthlyReport.Row row(MonthlyReport r, String dept) {
        return r.rows().stream().filter(x -> x.department().equals(dept)).findFirst().orElseThrow();
    }

    @Test
    void decemberIsCountedInShanghaiTime() {
        MonthlyReport r = report();
        assertThat(r.from()).isEqualTo(Instant.parse("2026-11-30T16:00:00Z"));
        assertThat(r.until()).isEqualTo(Instant.parse("2026-12-31T16:00:00Z"));
        assertThat(r.rows()).extracting(MonthlyReport.Row::department).containsExactly("edu", "hrss", "psb");
    }

    @Test
    void thePsbRowHasTheKnownNumbers() {
        MonthlyReport.Row psb = row(report(), "psb");
        assertThat(psb.received()).isEqualTo(5);             // R2, R3, R4, R5, R6
        assertThat(psb.decided()).isEqualTo(3);              // R1, R2, R4
        assertThat(psb.decidedOnTime()).isEqualTo(2);        // R1, R4
        assertThat(psb.onTimePercent()).isEqualTo(66.7);
        assertThat(psb.medianDecisionWorkingDays()).isEqualTo(3.0); // of 3, 11, 2
        assertThat(psb.overdue()).isEqualTo(2);              // R2, R3
        assertThat(psb.violationsByClause()).containsOnlyKeys(ViolationClause.ART46_5).containsEntry(ViolationClause.ART46_5, 2);
        assertThat(psb.violationsByStatus()).containsEntry(ViolationStatus.OPEN, 1).containsEntry(ViolationStatus.RECTIFIED, 1);
        assertThat(psb.errorReportsReceived()).isEqualTo(2);
        assertThat(psb.errorReportsAnsweredOnTime()).isEqualTo(1);
        assertThat(psb.disputes()).isEqualTo(2);
        assertThat(psb.disputesOpen()).isEqualTo(1);
    }

    @Test
    void theEduRowAndAnEvenMedian() {
        MonthlyReport.Row edu = row(report(), "edu");
        assertThat(edu.decided()).isEqualTo(1);
        assertThat(edu.medianDecisionWorkingDays()).isEqualTo(0.0);
        assertThat(edu.onTimePercent()).isEqualTo(100.0);
        assertThat(edu.violationsByClause()).containsEntry(ViolationClause.ART46_2, 1);
        assertThat(MonthlyReport.median(List.of(2, 11, 3, 4))).isEqualTo(3.5);
        MonthlyReport.Row hrss = row(report(), "hrss");
        assertThat(hrss.onTimePercent()).isNull();
        assertThat(hrss.medianDecisionWorkingDays()).isNull();
        assertThat(hrss.disputes()).isEqualTo(1);
    }

    @Test
    void workingDaysSpanHolidaysOnTheBundledCalendar() {
        // filed Wednesday 2026-09-30, decided Friday 2026-10-09: National Day holiday 10-01..10-07, so 10-08 and 10-09 only
        assertThat(MonthlyReport.workingDays(t("2026-09-30T10:00"), t("2026-10-09T10:00"), CALENDAR))
                .isEqualTo(CALENDAR.workingDaysBetween(java.time.LocalDate.of(2026, 9, 30), java.time.LocalDate.of(2026, 10, 9)));
        assertThat(MonthlyReport.workingDays(t("2026-12-03T10:00"), t("2026-12-07T10:00"), CALENDAR)).isEqualTo(2);
    }

    @Test
    void csvHasTheHeaderAndOneRowPerDepartment() {
        String csv = MonthlyReportFormat.csv(report());
        String[] lines = csv.split("\r\n");
        assertThat(lines).hasSize(4);
        assertThat(lines[0]).startsWith("month,department,requests_received,requests_decided,decided_on_time,on_time_pct,"
                + "median_decision_working_days,overdue,violations,violations_ART46_1");
        assertThat(lines[3]).startsWith("2026-12,psb,5,3,2,66.7,3,2,2,0,0,0,0,2,");
        assertThat(lines[3]).endsWith(",2,1,2,1");
        assertThat(lines[0].split(",")).hasSameSizeAs(lines[3].split(","));
    }

    @Test
    void jsonCarriesTheNumbers() throws Exception {
        JsonNode json = new ObjectMapper().readTree(MonthlyReportFormat.json(report()));
        assertThat(json.get("month").asText()).isEqualTo("2026-12");
        JsonNode psb = json.get("departments").get(2);
        assertThat(psb.get("department").asText()).isEqualTo("psb");
        assertThat(psb.get("onTimePercent").asDouble()).isEqualTo(66.7);
        assertThat(psb.get("medianDecisionWorkingDays").asDouble()).isEqualTo(3.0);
        assertThat(psb.get("violationsByClause").get("46(五)").asInt()).isEqualTo(2);
        assertThat(json.get("departments").get(1).get("onTimePercent").isNull()).isTrue();
    }

    @Test
    void htmlIsWellFormedSelfContainedWithTwoSvgCharts() throws Exception {
        String html = MonthlyReportFormat.html(report());
        assertThat(html).doesNotContain("<script").doesNotContain("http://cdn").doesNotContain("https://")
                .doesNotContain("<link");
        // parsed as XML by the JDK's parser (the page is written well-formed): two SVG charts with bars
        String xml = html.replace("<!DOCTYPE html>", "");
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        assertThat(doc.getElementsByTagName("svg").getLength()).isEqualTo(2);
        assertThat(doc.getElementsByTagName("rect").getLength()).isEqualTo(2 + 2); // edu, psb on time; 46(二), 46(五)
        assertThat(html).contains("按时决定率 (On-time decision rate, %)").contains("第46(五)项");
        assertThat(MonthlyReportFormat.esc("<b>\"&'")).isEqualTo("&lt;b&gt;&quot;&amp;&#39;");
    }
}
