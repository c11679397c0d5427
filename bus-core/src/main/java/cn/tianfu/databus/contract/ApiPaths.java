package cn.tianfu.databus.contract;

/** The paths of the bus's HTTP API that its clients call, declared once for the server and the SDK. */
public final class ApiPaths {

    /** The caller's access requests, as consumer and as provider. */
    public static final String REQUESTS = "/api/v1/requests";
    /** The caller's grants, as consumer and as provider. */
    public static final String GRANTS = "/api/v1/grants";
    /** The caller's violations (Art. 46); all of them for the bus principal. */
    public static final String VIOLATIONS = "/api/v1/violations";

    private ApiPaths() {
    }
}
