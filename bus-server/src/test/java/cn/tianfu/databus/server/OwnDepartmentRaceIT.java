package cn.tianfu.databus.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.broker.BusCredentials;
import cn.tianfu.databus.schemas.Department;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.kafka.SaslLogin;
import cn.tianfu.databus.security.Passwords;
import cn.tianfu.databus.testkit.SharedBus;

/**
 * Bus nodes starting together on one cluster each set up the bus's own department (the authority) at the same moment:
 * {@link Departments#ensure} with the password every node derives from the bus principal's leaves one department whose
 * credential and verifier both match that password, however the two runs interleave; run again, it changes nothing.
 */
class OwnDepartmentRaceIT {

    private final SharedBus bus = SharedBus.get();

    @Test
    void twoNodesSettingUpTheSameDepartmentAtOnceAgreeOnOneWorkingCredential() throws Exception {
        String id = "race" + Long.toString(System.nanoTime() % 100_000, 36);
        String password = Passwords.derived(bus.busConfig().basicAuthUserInfo().orElseThrow(), id);
        assertThat(Passwords.derived(bus.busConfig().basicAuthUserInfo().orElseThrow(), id)).isEqualTo(password);

        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Departments.NewPrincipal<Department>>> nodes = List.of(1, 2).stream()
                .map(n -> CompletableFuture.supplyAsync(() -> {
                    try (Departments departments = Departments.connect(bus.busConfig(), Duration.ofSeconds(30))) {
                        go.await();
                        return departments.ensure(id, "公共数据主管部门", Optional.empty(), password);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                })).toList();
        go.countDown();
        for (var node : nodes) {
            assertThat(node.get(60, TimeUnit.SECONDS).password()).isEqualTo(password);
        }

        try (Departments departments = Departments.connect(bus.busConfig(), Duration.ofSeconds(30))) {
            Department recorded = departments.find(id).orElseThrow();
            assertThat(Passwords.matches(password, recorded.getPasswordVerifier())).isTrue();
            // the broker knows the same password: the department authenticates with it
            assertAuthenticates(id, password);
            // a third start changes nothing: the recorded department stays as it is
            Departments.NewPrincipal<Department> again = departments.ensure(id, "公共数据主管部门", Optional.empty(), password);
            assertThat(again.principal()).isEqualTo(id);
            assertThat(departments.find(id).orElseThrow().getPasswordVerifier()).isEqualTo(recorded.getPasswordVerifier());
            assertAuthenticates(id, password);
        }
    }

    private void assertAuthenticates(String user, String password) throws Exception {
        Map<String, Object> props = new java.util.HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers());
        props.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, BusCredentials.PROTOCOL);
        props.put("sasl.mechanism", BusCredentials.MECHANISM);
        props.put("sasl.jaas.config", SaslLogin.jaas(BusCredentials.MECHANISM, user, password).value());
        try (Admin admin = Admin.create(props)) {
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).isNotEmpty();
        }
    }
}
