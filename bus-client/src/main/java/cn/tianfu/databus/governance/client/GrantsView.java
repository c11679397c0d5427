package cn.tianfu.databus.governance.client;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.governance.client.internal.HttpViews;
import cn.tianfu.databus.schemas.Grant;

/**
 * The grants a department is party to: those it receives ({@link #asConsumer()}) and those on resources it provides
 * ({@link #asProvider()}). Lists are ordered by creation time. Nothing about other departments' grants is returned.
 */
public interface GrantsView extends AutoCloseable {

    static GrantsView open(DatabusClientConfig config) {
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
    static GrantsView open(DatabusClientConfig config, Duration timeout) {
        return HttpViews.grants(config, timeout);
    }

    void refresh();

    /** The grant, if this department receives it or provides its resource. */
    Optional<Grant> byId(String grantId);

    /** Grants this department receives. */
    List<Grant> asConsumer();

    /** Grants on resources this department provides. */
    List<Grant> asProvider();

    @Override
    void close();
}
