package cn.tianfu.databus.governance.client;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.governance.client.internal.HttpViews;
import cn.tianfu.databus.schemas.Violation;

/**
 * The violations of the regulation (Art. 46) the bus found against this department, with their status (OPEN,
 * RECTIFICATION_ORDERED with its deadline, RECTIFIED, ESCALATED) and history; oldest due first. The bus principal's
 * view holds every department's. Nothing about other departments' violations is returned to a department.
 *
 * <pre>{@code
 * try (ViolationsView v = ViolationsView.open(config)) {
 *     v.all().forEach(x -> System.out.println(x.getId() + " " + x.getStatus()));
 * }
 * }</pre>
 */
public interface ViolationsView extends AutoCloseable {

    static ViolationsView open(DatabusClientConfig config) {
        return open(config, GovernanceClient.DEFAULT_CONNECT_TIMEOUT);
    }

    /**
     * Reads the view from the bus's HTTP API ({@code GET /api/v1/violations}), authenticated as the department.
     *
     * @throws GovernanceException when the bus answers with an error
     * @throws cn.tianfu.databus.security.BusUnreachableException when the bus cannot be reached
     * @throws cn.tianfu.databus.security.BusAuthenticationException when the bus refuses the credentials
     */
    static ViolationsView open(DatabusClientConfig config, Duration timeout) {
        return HttpViews.violations(config, timeout);
    }

    void refresh();

    /** The violation, if it is this department's. */
    Optional<Violation> byId(String violationId);

    /** This department's violations, oldest due first. */
    List<Violation> all();

    @Override
    void close();
}
