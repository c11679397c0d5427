package cn.tianfu.databus.tls;

import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;

import io.javalin.config.JavalinConfig;

/**
 * The two listeners of a Javalin server of the bus when TLS is on: HTTPS on the listen address (what departments
 * call), and plain HTTP on a loopback port for the bus's own services on the same machine (its streams apps and
 * commands), which never leaves the host. Call {@link #configure} inside {@code Javalin.create} and start the server
 * with {@code start()} (no host and port: the listeners are these).
 */
public final class HttpsListeners {

    /** The loopback address the plain listener binds. */
    public static final String LOOPBACK = "127.0.0.1";

    private final AtomicReference<ServerConnector> secure = new AtomicReference<>();
    private final AtomicReference<ServerConnector> plain = new AtomicReference<>();

    private HttpsListeners() {
    }

    /** Adds HTTPS on {@code host:port} (0: a free port) and plain HTTP on a free loopback port. */
    public static HttpsListeners configure(JavalinConfig cfg, String host, int port, ServerTls tls) {
        HttpsListeners listeners = new HttpsListeners();
        cfg.jetty.addConnector((server, httpConfig) -> {
            HttpConfiguration https = new HttpConfiguration(httpConfig);
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false);
            https.addCustomizer(secure);
            ServerConnector c = new ServerConnector(server,
                    new SslConnectionFactory(tls.jettySslContextFactory(), HttpVersion.HTTP_1_1.asString()),
                    new HttpConnectionFactory(https));
            c.setHost(host);
            c.setPort(port);
            listeners.secure.set(c);
            return c;
        });
        cfg.jetty.addConnector((server, httpConfig) -> {
            ServerConnector c = new ServerConnector(server, new HttpConnectionFactory(httpConfig));
            c.setHost(LOOPBACK);
            c.setPort(0);
            listeners.plain.set(c);
            return c;
        });
        return listeners;
    }

    /** The bound HTTPS port. */
    public int securePort() {
        return secure.get().getLocalPort();
    }

    /** The bound loopback plain port. */
    public int loopbackPort() {
        return plain.get().getLocalPort();
    }

    /** {@code http://127.0.0.1:<loopback port>}. */
    public String loopbackUrl() {
        return "http://" + LOOPBACK + ":" + loopbackPort();
    }

    /** {@code https://<host>:<secure port>}, {@code host} being the name clients reach the bus by. */
    public String secureUrl(String advertisedHost) {
        String h = advertisedHost.contains(":") && !advertisedHost.startsWith("[") ? "[" + advertisedHost + "]" : advertisedHost;
        return "https://" + h + ":" + securePort();
    }
}
