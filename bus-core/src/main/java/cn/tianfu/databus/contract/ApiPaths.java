package cn.tianfu.databus.contract;

/** The paths of the bus's HTTP API that its clients call, declared once for the server and the SDK. */
public final class ApiPaths {

    /** The caller's access requests, as consumer and as provider. */
    public static final String REQUESTS = "/api/v1/requests";
    /** The caller's grants, as consumer and as provider. */
    public static final String GRANTS = "/api/v1/grants";
    /** The caller's violations (Art. 46); all of them for the bus principal. */
    public static final String VIOLATIONS = "/api/v1/violations";
    /** The service exchange: one record of a resource as the caller's grant delivers it ({@code /{resource}/{key}}). */
    public static final String QUERY = "/api/v1/query";
    /** The service exchange: whether claims about one record hold ({@code /{resource}}, POST). */
    public static final String VERIFY = "/api/v1/verify";
    /** The bus's public signing key as a JWK set (checks the service exchange's proofs). */
    public static final String KEYS = "/api/v1/keys";

    /** The path of a query for one key (resource and key URL-encoded). */
    public static String query(String resource, String key) {
        return QUERY + "/" + encode(resource) + "/" + encode(key);
    }

    /** The path of a verification on one resource. */
    public static String verify(String resource) {
        return VERIFY + "/" + encode(resource);
    }

    private static String encode(String segment) {
        return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
    /**
     * A person's own exchanges, with proofs: authenticated by a bearer token of the city's identity provider, not by
     * department credentials.
     */
    public static final String TRANSPARENCY_MY_EXCHANGES = "/api/v1/transparency/my-exchanges";
    /** Error reports (Art. 27): all for the authority, those the caller is party to for a department. */
    public static final String REPORTS = "/api/v1/reports";
    /** Disputes (Art. 28): all for the authority, the caller's own for a department, those referred to it for an expert. */
    public static final String DISPUTES = "/api/v1/disputes";

    /** The catalog: browse, show ({@code /{code}}), register, update, retire ({@code /{code}/retire}). */
    public static final String CATALOG = "/api/v1/catalog";
    /** The working-day calendars: those loaded, and a due date ({@code /due}). */
    public static final String CALENDARS = "/api/v1/calendars";
    /** The bus's metrics in the Prometheus text format. */
    public static final String METRICS = "/metrics";
    /** The OpenAPI 3 document of the HTTP API. */
    public static final String OPENAPI = "/api/openapi.json";
    /** What the bus rejected (the authority only). */
    public static final String DEADLETTERS = "/api/v1/deadletters";
    /** Notices to update a catalogue (Art. 14): the caller's own, all for the authority, who gives them. */
    public static final String NOTICES = "/api/v1/notices";
    /** The public's requests to open data (Art. 34) to the calling provider, and its answers ({@code /{id}/answer}). */
    public static final String PUBLIC_REQUESTS = "/api/v1/public-requests";
    /** The exchange log for auditors and the authority: {@code /verify} (a job), {@code /trace}, {@code /report}. */
    public static final String AUDIT = "/api/v1/audit";
    /** The departments of the bus (the authority only). */
    public static final String DEPARTMENTS = "/api/v1/departments";
    /** The authority's periodic report of one month per department ({@code ?month=YYYY-MM}). */
    public static final String MONTHLY_REPORT = "/api/v1/monthly-report";
    /** The experts of the expert committee (the authority only): list, add ({@code POST}, its client config once). */
    public static final String EXPERTS = "/api/v1/experts";
    /** The quality evaluation of every resource (Art. 41; the authority only). */
    public static final String QUALITY = "/api/v1/quality";

    private ApiPaths() {
    }
}
