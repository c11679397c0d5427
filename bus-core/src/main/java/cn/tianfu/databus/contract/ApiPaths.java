package cn.tianfu.databus.contract;

/** The paths of the bus's HTTP API that its clients call, declared once for the server and the SDK. */
public final class ApiPaths {

    /** The caller's access requests, as consumer and as provider. */
    public static final String REQUESTS = "/api/v1/requests";
    /** The caller's grants, as consumer and as provider. */
    public static final String GRANTS = "/api/v1/grants";

    /**
     * A person's own exchanges, with proofs: authenticated by a bearer token of the city's identity provider, not by
     * department credentials.
     */
    public static final String TRANSPARENCY_MY_EXCHANGES = "/api/v1/transparency/my-exchanges";

    private ApiPaths() {
    }
}
