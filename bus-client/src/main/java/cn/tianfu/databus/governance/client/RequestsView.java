package cn.tianfu.databus.governance.client;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.governance.client.internal.HttpViews;
import cn.tianfu.databus.schemas.AccessRequest;

/**
 * The access requests a department is party to: those it filed ({@link #mine()}) and those on resources it provides
 * ({@link #incoming()}). Lists are ordered by filing time. Nothing about other departments' requests is returned.
 */
public interface RequestsView extends AutoCloseable {

    static RequestsView open(DatabusClientConfig config) {
        return open(config, GovernanceClient.DEFAULT_CONNECT_TIMEOUT);
    }

    /**
     * Reads the view from the bus's HTTP API ({@code bus.http.url} of the config), authenticated as the department; the
     * bus answers only what concerns it.
     *
     * @throws GovernanceException when the bus answers with an error
     * @throws cn.tianfu.databus.security.BusUnreachableException when the bus cannot be reached
     * @throws cn.tianfu.databus.security.BusAuthenticationException when the bus refuses the credentials
     */
    static RequestsView open(DatabusClientConfig config, Duration timeout) {
        return HttpViews.requests(config, timeout);
    }

    void refresh();

    /** The request, if this department filed it or provides its resource. */
    Optional<AccessRequest> byId(String requestId);

    /** Requests this department filed, as consumer. */
    List<AccessRequest> mine();

    /** Requests on resources this department provides, as provider. */
    List<AccessRequest> incoming();

    @Override
    void close();
}
