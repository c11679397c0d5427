package cn.tianfu.databus.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.eclipse.jetty.util.thread.QueuedThreadPool;

import cn.tianfu.databus.DatabusException;
import io.javalin.Javalin;

/** The bus's HTTP API: {@code GET /health} now; the console and department endpoints attach here. */
public final class HttpApi implements AutoCloseable {

    private final Javalin app;
    private final String url;

    private HttpApi(Javalin app, String url) {
        this.app = app;
        this.url = url;
    }

    public static HttpApi start(String host, int port, Supplier<BusRuntime.Health> health) {
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            QueuedThreadPool pool = new QueuedThreadPool(16, 2);
            pool.setName("databus-http");
            config.jetty.threadPool = pool;
            config.routes.get("/health", ctx -> {
                BusRuntime.Health h = health.get();
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("status", h.up() ? "UP" : "DOWN");
                body.putAll(h.components());
                ctx.status(h.up() ? 200 : 503).json(body);
            });
        });
        try {
            app.start(host, port);
        } catch (RuntimeException e) {
            app.stop();
            throw new DatabusException("cannot start the HTTP API on " + host + ":" + port
                    + (isBindFailure(e) ? ": the port is already in use (choose another with --http-port)" : ": " + e.getMessage()), e);
        }
        return new HttpApi(app, "http://" + host + ":" + app.port());
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException) {
                return true;
            }
        }
        return false;
    }

    public String url() {
        return url;
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
