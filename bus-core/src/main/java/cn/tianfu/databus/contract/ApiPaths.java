package cn.tianfu.databus.contract;

/** The paths of the bus's HTTP API that its clients call, declared once for the server and the SDK. */
public final class ApiPaths {

    /** The caller's access requests, as consumer and as provider. */
    public static final String REQUESTS = "/api/v1/requests";
    /** The caller's grants, as consumer and as provider. */
    public static final String GRANTS = "/api/v1/grants";
    /** Error reports (Art. 27): all for the authority, those the caller is party to for a department. */
    public static final String REPORTS = "/api/v1/reports";
    /** Disputes (Art. 28): all for the authority, the caller's own for a department, those referred to it for an expert. */
    public static final String DISPUTES = "/api/v1/disputes";

    private ApiPaths() {
    }
}
