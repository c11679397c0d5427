package cn.tianfu.databus.server.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import cn.tianfu.databus.service.ServiceException;
import cn.tianfu.databus.tls.Certificates;
import cn.tianfu.databus.tls.HttpsListeners;
import cn.tianfu.databus.tls.ServerTls;
import io.javalin.Javalin;

/**
 * Forwarding between nodes whose HTTP APIs run TLS: a real HTTPS listener with a certificate of the bus's own CA
 * (as {@code BusRuntime} sets it up); the forwarder reaches it over HTTPS trusting that CA, carrying the caller's
 * credentials and the forwarded mark, and refuses a node whose certificate another CA issued.
 */
class ServiceForwarderTest {

    private static final InstantSource ISSUED = InstantSource.fixed(Instant.parse("2026-01-05T08:00:00Z"));

    @Test
    void forwards_over_https_trusting_the_bus_ca_and_nothing_else(@TempDir Path dir) throws Exception {
        ServerTls tls = ServerTls.loadOrCreate(dir.resolve("node"), Certificates.serverNames("127.0.0.1", "127.0.0.1"), ISSUED);
        ServerTls other = ServerTls.loadOrCreate(dir.resolve("other-bus"), Certificates.serverNames("127.0.0.1", "127.0.0.1"), ISSUED);
        AtomicReference<String> seen = new AtomicReference<>();
        AtomicReference<HttpsListeners> listeners = new AtomicReference<>();
        Javalin owner = Javalin.create(cfg -> {
            listeners.set(HttpsListeners.configure(cfg, "127.0.0.1", 0, tls));
            cfg.startup.showJavalinBanner = false;
            cfg.routes.post("/api/v1/verify/{resource}", ctx -> {
                seen.set(ctx.scheme() + " " + ctx.header("Authorization") + " " + ctx.header(ServiceRoutes.FORWARDED_HEADER)
                        + " " + ctx.pathParam("resource") + " " + ctx.body());
                ctx.header("X-Databus-Exchange-Id", "e1").status(200).result("{\"results\":{}}");
            });
        }).start();
        try {
            HostInfo node = new HostInfo("127.0.0.1", listeners.get().securePort());
            ServiceForwarder forwarder = ServiceForwarder.https(tls.caPem());
            assertThat(forwarder.scheme()).isEqualTo("https");
            HttpResponse<byte[]> r = forwarder.send(node, "/api/v1/verify/10101-000001", "Basic YTpi",
                    "{\"key\":\"k\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Databus-Exchange-Id")).contains("e1");
            assertThat(seen.get()).isEqualTo("https Basic YTpi 1 10101-000001 {\"key\":\"k\"}");

            // a forwarder trusting another bus's CA does not talk to this node (the credentials never leave)
            seen.set(null);
            ServiceForwarder wrong = ServiceForwarder.https(other.caPem());
            assertThatThrownBy(() -> wrong.send(node, "/api/v1/verify/10101-000001", "Basic YTpi", new byte[0]))
                    .isInstanceOfSatisfying(ServiceException.class,
                            e -> assertThat(e.kind()).isEqualTo(ServiceException.Kind.UNAVAILABLE));
            assertThat(seen.get()).isNull();
        } finally {
            owner.stop();
        }
    }
}
