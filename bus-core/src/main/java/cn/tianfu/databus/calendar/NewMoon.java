package cn.tianfu.databus.calendar;

import java.time.Instant;

/**
 * The moment of a new moon, by Meeus (Astronomical Algorithms, 2nd ed., ch. 49: mean lunation plus the periodic and
 * planetary corrections), good to well under a minute for this century. ICU4J's {@link com.ibm.icu.util.ChineseCalendar}
 * computes lunations with a Keplerian approximation that can be minutes late, which moves a month's first day when the
 * new moon falls just before midnight in China (it does for the Spring Festival of 2027: the new moon is at 23:56 on
 * 6 February, China Standard Time); {@link StatutoryHolidays} takes the month structure from ICU4J and the first day
 * of each month from here.
 */
final class NewMoon {

    private static final double JD_UNIX_EPOCH = 2440587.5;
    private static final double SYNODIC_MONTH = 29.530588861;

    private NewMoon() {
    }

    /** The new moon nearest to {@code near} (within half a lunation). */
    static Instant nearest(Instant near) {
        double jd = JD_UNIX_EPOCH + near.toEpochMilli() / 86_400_000.0;
        double k = Math.round((jd - 2451550.09766) / SYNODIC_MONTH);
        double jde = jde(k);
        double year = 2000 + (jde - 2451545.0) / 365.25;
        double jdUt = jde - deltaTSeconds(year) / 86_400.0;
        return Instant.ofEpochMilli(Math.round((jdUt - JD_UNIX_EPOCH) * 86_400_000.0));
    }

    /** Ephemeris time (JDE) of new moon number {@code k} (k = 0 is the new moon of 6 January 2000). */
    static double jde(double k) {
        double t = k / 1236.85;
        double t2 = t * t;
        double t3 = t2 * t;
        double t4 = t3 * t;
        double jde = 2451550.09766 + 29.530588861 * k + 0.00015437 * t2 - 0.000000150 * t3 + 0.00000000073 * t4;
        double e = 1 - 0.002516 * t - 0.0000074 * t2;
        double m = rad(2.5534 + 29.10535670 * k - 0.0000014 * t2 - 0.00000011 * t3);
        double mp = rad(201.5643 + 385.81693528 * k + 0.0107582 * t2 + 0.00001238 * t3 - 0.000000058 * t4);
        double f = rad(160.7108 + 390.67050284 * k - 0.0016118 * t2 - 0.00000227 * t3 + 0.000000011 * t4);
        double om = rad(124.7746 - 1.56375588 * k + 0.0020672 * t2 + 0.00000215 * t3);
        double c = -0.40720 * Math.sin(mp)
                + 0.17241 * e * Math.sin(m)
                + 0.01608 * Math.sin(2 * mp)
                + 0.01039 * Math.sin(2 * f)
                + 0.00739 * e * Math.sin(mp - m)
                - 0.00514 * e * Math.sin(mp + m)
                + 0.00208 * e * e * Math.sin(2 * m)
                - 0.00111 * Math.sin(mp - 2 * f)
                - 0.00057 * Math.sin(mp + 2 * f)
                + 0.00056 * e * Math.sin(2 * mp + m)
                - 0.00042 * Math.sin(3 * mp)
                + 0.00042 * e * Math.sin(m + 2 * f)
                + 0.00038 * e * Math.sin(m - 2 * f)
                - 0.00024 * e * Math.sin(2 * mp - m)
                - 0.00017 * Math.sin(om)
                - 0.00007 * Math.sin(mp + 2 * m)
                + 0.00004 * Math.sin(2 * mp - 2 * f)
                + 0.00004 * Math.sin(3 * m)
                + 0.00003 * Math.sin(mp + m - 2 * f)
                + 0.00003 * Math.sin(2 * mp + 2 * f)
                - 0.00003 * Math.sin(mp + m + 2 * f)
                + 0.00003 * Math.sin(mp - m + 2 * f)
                - 0.00002 * Math.sin(mp - m - 2 * f)
                - 0.00002 * Math.sin(3 * mp + m)
                + 0.00002 * Math.sin(4 * mp);
        double a = 0.000325 * Math.sin(rad(299.77 + 0.107408 * k - 0.009173 * t2))
                + 0.000165 * Math.sin(rad(251.88 + 0.016321 * k))
                + 0.000164 * Math.sin(rad(251.83 + 26.651886 * k))
                + 0.000126 * Math.sin(rad(349.42 + 36.412478 * k))
                + 0.000110 * Math.sin(rad(84.66 + 18.206239 * k))
                + 0.000062 * Math.sin(rad(141.74 + 53.303771 * k))
                + 0.000060 * Math.sin(rad(207.14 + 2.453732 * k))
                + 0.000056 * Math.sin(rad(154.84 + 7.306860 * k))
                + 0.000047 * Math.sin(rad(34.52 + 27.261239 * k))
                + 0.000042 * Math.sin(rad(207.19 + 0.121824 * k))
                + 0.000040 * Math.sin(rad(291.34 + 1.844379 * k))
                + 0.000037 * Math.sin(rad(161.72 + 24.198154 * k))
                + 0.000035 * Math.sin(rad(239.56 + 25.513099 * k))
                + 0.000023 * Math.sin(rad(331.55 + 3.592518 * k));
        return jde + c + a;
    }

    /** TT - UT in seconds (the NASA polynomial for 2005-2050, extrapolated; a minute or two off by 2100). */
    private static double deltaTSeconds(double year) {
        double t = year - 2000;
        return 62.92 + 0.32217 * t + 0.005589 * t * t;
    }

    private static double rad(double degrees) {
        return Math.toRadians(degrees % 360);
    }
}
