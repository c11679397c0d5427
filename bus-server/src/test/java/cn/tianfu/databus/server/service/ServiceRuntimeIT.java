package cn.tianfu.databus.server.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.sdk.ServiceClient;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.server.ClientFiles;
import cn.tianfu.databus.server.ServerConfig;
import cn.tianfu.databus.service.Proofs;

/** The service exchange as {@code databus up} wires it: the runtime's HTTP API answers from its own router. */
class ServiceRuntimeIT {

    @Test
    void the_runtime_publishes_its_key_and_answers_through_its_router(@TempDir Path dir) throws Exception {
        try (BusRuntime bus = BusRuntime.start(new ServerConfig(Map.of(ServerConfig.DATA_DIR_CONFIG, dir.toString(),
                ServerConfig.KAFKA_PORT_CONFIG, 0, ServerConfig.REGISTRY_PORT_CONFIG, 0, ServerConfig.HTTP_PORT_CONFIG, 0)))) {
            String url = bus.endpoints().httpUrl();
            HttpResponse<String> keys = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/api/v1/keys"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(keys.statusCode()).isEqualTo(200);
            assertThat(Proofs.fromJwkSet(keys.body())).containsExactly(SigningKeys.loadOrCreate(bus.config().dataDir()).publicKey());
            assertThat(Files.readString(bus.config().dataDir().resolve("keys").resolve(BusRuntime.SERVICE_JWKS_FILE)))
                    .isEqualTo(keys.body());
            // the router is attached: a department without a grant is refused 403 (not 503 "not running")
            ServiceClient authority = ServiceClient.create(ClientFiles.load(bus.config().dataDir(), BusRuntime.AUTHORITY_DEPARTMENT));
            assertThatThrownBy(() -> authority.get("10101-000001", "510104199001011234"))
                    .isInstanceOfSatisfying(ServiceClient.Refused.class, e -> assertThat(e.status()).isEqualTo(403));
        }
    }
}
