package cn.tianfu.databus.server;

import cn.tianfu.databus.contract.ApiPaths;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.eclipse.jetty.util.thread.QueuedThreadPool;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.auth.Authenticator;
import cn.tianfu.databus.auth.LoginGuard;
import cn.tianfu.databus.client.AvroJson;
import cn.tianfu.databus.opendata.http.OpenDataRoutes;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.server.api.AccountabilityCommandRoutes;
import cn.tianfu.databus.server.api.ApiCalls;
import cn.tianfu.databus.server.api.AuditRoutes;
import cn.tianfu.databus.server.api.AuthorityRoutes;
import cn.tianfu.databus.server.api.AuthorityAdminRoutes;
import cn.tianfu.databus.server.api.DeadLetterRoutes;
import cn.tianfu.databus.server.api.NoticeRoutes;
import cn.tianfu.databus.server.api.ProviderPublicRequestRoutes;
import cn.tianfu.databus.server.api.ApiDocument;
import cn.tianfu.databus.server.api.CalendarRoutes;
import cn.tianfu.databus.server.api.CatalogRoutes;
import cn.tianfu.databus.server.api.GrantRoutes;
import cn.tianfu.databus.server.api.OpenApiRoutes;
import cn.tianfu.databus.server.api.RequestRoutes;
import cn.tianfu.databus.server.console.ApiClient;
import cn.tianfu.databus.server.console.CachedCalendar;
import cn.tianfu.databus.server.console.Console;
import cn.tianfu.databus.server.console.ConsoleServices;
import cn.tianfu.databus.server.metrics.BusMetrics;
import cn.tianfu.databus.server.metrics.MetricsRoutes;
import cn.tianfu.databus.server.service.ServiceExchange;
import cn.tianfu.databus.server.service.ServiceForwarder;
import cn.tianfu.databus.server.service.ServiceRoutes;
import cn.tianfu.databus.tls.HttpsListeners;
import cn.tianfu.databus.tls.ServerTls;
import cn.tianfu.databus.transparency.TransparencyRoutes;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;

/**
 * The bus's HTTP API. {@code GET /health} is open; everything under {@code /api/} needs HTTP basic credentials of a
 * department (or the bus) and acts only as that caller:
 * <ul>
 * <li>{@code GET /api/v1/requests?role=mine|incoming|all}: access requests the caller filed, those on its resources, or both;</li>
 * <li>{@code GET /api/v1/grants?role=consumer|provider|all}: grants it receives, grants on its resources, or both;</li>
 * <li>{@code GET /api/v1/violations}: its violations (Art. 46), all of them for the bus ({@link ViolationRoutes}).</li>
 * <li>{@code GET /api/v1/reports}, {@code GET /api/v1/disputes}: error reports and disputes ({@link AccountabilityRoutes}).</li>
 * <li>the catalog, requests, decisions and grants as commands sent with the caller's own credentials ({@link CatalogRoutes},
 * {@link RequestRoutes}, {@link GrantRoutes});</li>
 * <li>error reports, disputes and violation steps, catalogue-update notices and answers to the public's requests as
 * commands sent with the caller's own credentials ({@link AccountabilityCommandRoutes}, {@link NoticeRoutes},
 * {@link ProviderPublicRequestRoutes}); the dead letters, the departments and the monthly report for the authority
 * ({@link DeadLetterRoutes}, {@link AuthorityRoutes}), and what it administers: adding departments and experts, the
 * quality scores, the review of answers to public requests ({@link AuthorityAdminRoutes}); the exchange log
 * for auditors and the authority ({@link AuditRoutes});</li>
 * <li>{@code GET /api/openapi.json}: the OpenAPI document of the routes registered ({@link ApiDocument}), anonymous;</li>
 * <li>{@code GET /metrics}: Prometheus metrics for the bus's own principal ({@link BusMetrics}).</li>
 * <li>{@code /console/...} (and {@code GET /} leading there): the web console, signed in with the same credentials
 * ({@link Console}, docs/console.md).</li>
 * </ul>
 * See docs/http-api.md.
 * The open-data routes ({@link OpenDataRoutes}: the CKAN Action API, DCAT, downloads) are anonymous.
 * Bodies are JSON arrays in Avro's JSON encoding of {@code AccessRequest} / {@code Grant}; errors are
 * {@code {"error_code":N,"message":"..."}} (401 without valid credentials, 429 with {@code Retry-After} while failed
 * logins from the caller's address are throttled by a {@link LoginGuard}, 400 for an unknown role).
 */
public final class HttpApi implements AutoCloseable {

    private static final String CALLER = "databus.caller";

    private final Javalin app;
    private final String url;
    private final String internalUrl;
    private final StateTables state;
    private final OpenDataRoutes open;
    private final List<String> routes;
    private final BusMetrics metrics;

    private HttpApi(Javalin app, String url, String internalUrl, StateTables state, OpenDataRoutes open, List<String> routes,
            BusMetrics metrics) {
        this.app = app;
        this.url = url;
        this.internalUrl = internalUrl;
        this.state = state;
        this.open = open;
        this.routes = List.copyOf(routes);
        this.metrics = metrics;
    }

    /**
     * What the HTTP API serves beyond the department endpoints, and how it listens.
     *
     * @param tls            HTTPS on the listen address and plain HTTP on a loopback port for the bus's own use; null: plain HTTP
     * @param advertisedHost the host name clients reach the API by (its {@link #url()}); null: the listen host
     * @param service        the service exchange's endpoints (query, verify, keys); null: none
     * @param transparency   the citizen transparency route (authenticated by the identity provider's tokens); null: none
     * @param audit          the exchange log's routes for auditors and the authority; null: none
     */
    public record Options(ServerTls tls, String advertisedHost, ServiceExchange service, TransparencyRoutes transparency,
            Console.Settings console, AuditRoutes.Settings audit, Supplier<BusEndpoints> endpoints) {
        /** Plain HTTP, department endpoints only. */
        public static final Options NONE = new Options(null, null, null, null);

        /** The console with its default settings ({@link Console.Settings#DEFAULT}), without the audit routes. */
        public Options(ServerTls tls, String advertisedHost, ServiceExchange service, TransparencyRoutes transparency) {
            this(tls, advertisedHost, service, transparency, Console.Settings.DEFAULT, null);
        }

        /** With the console's sessions kept as {@code console} says. */
        public Options withConsole(Console.Settings console) {
            return new Options(tls, advertisedHost, service, transparency, console, audit, endpoints);
        }

        public Options withService(ServiceExchange service) {
            return new Options(tls, advertisedHost, service, transparency, console, audit, endpoints);
        }

        public Options withTransparency(TransparencyRoutes transparency) {
            return new Options(tls, advertisedHost, service, transparency, console, audit, endpoints);
        }

        /** With the exchange log's routes for auditors and the authority ({@link AuditRoutes}); null: none. */
        public Options withAudit(AuditRoutes.Settings audit) {
            return new Options(tls, advertisedHost, service, transparency, console, audit, endpoints);
        }

        /** Without the bus's endpoints: the authority cannot add departments or experts over HTTP. */
        public Options(ServerTls tls, String advertisedHost, ServiceExchange service, TransparencyRoutes transparency,
                Console.Settings console, AuditRoutes.Settings audit) {
            this(tls, advertisedHost, service, transparency, console, audit, null);
        }

        /**
         * With the bus's endpoints, which the client config of a department or expert the authority adds over HTTP names
         * ({@link AuthorityAdminRoutes}); known once the bus has started.
         */
        public Options withEndpoints(Supplier<BusEndpoints> endpoints) {
            return new Options(tls, advertisedHost, service, transparency, console, audit, endpoints);
        }
    }

    /** The health endpoint only (no department endpoints). */
    public static HttpApi start(String host, int port, Supplier<BusRuntime.Health> health) {
        return start(host, port, health, null, (StateTables) null, null, Options.NONE);
    }

    /**
     * The health endpoint and the department endpoints: callers authenticated by {@code authenticator}, the raw topics
     * read with {@code bus} (the bus principal's client config).
     */
    public static HttpApi start(String host, int port, Supplier<BusRuntime.Health> health, Authenticator authenticator,
            cn.tianfu.databus.client.DatabusClientConfig bus) {
        return start(host, port, health, authenticator, bus, Options.NONE);
    }

    /** As {@link #start(String, int, Supplier, Authenticator, cn.tianfu.databus.client.DatabusClientConfig)}, with {@code options}. */
    public static HttpApi start(String host, int port, Supplier<BusRuntime.Health> health, Authenticator authenticator,
            cn.tianfu.databus.client.DatabusClientConfig bus, Options options) {
        StateTables state = bus == null ? null : new StateTables(bus, java.time.Duration.ofSeconds(10));
        OpenDataRoutes open = null;
        try {
            open = bus == null ? null : new OpenDataRoutes(bus, java.time.InstantSource.system());
            return start(host, port, health, authenticator, state, open, options);
        } catch (RuntimeException e) {
            if (state != null) {
                state.close();
            }
            if (open != null) {
                open.close();
            }
            throw e;
        }
    }

    private static HttpApi start(String host, int port, Supplier<BusRuntime.Health> health, Authenticator authenticator, StateTables state,
            OpenDataRoutes open, Options options) {
        ServerTls tls = options.tls();
        String advertisedHost = options.advertisedHost();
        ServiceExchange service = options.service();
        TransparencyRoutes transparency = options.transparency();
        java.util.concurrent.atomic.AtomicReference<HttpsListeners> listeners = new java.util.concurrent.atomic.AtomicReference<>();
        List<String> registered = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicReference<BusMetrics> metrics = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<String> consoleApiUrl = new java.util.concurrent.atomic.AtomicReference<>();
        Set<ApiDocument.Feature> features = EnumSet.of(ApiDocument.Feature.BASE);
        if (authenticator != null && state != null) {
            features.add(ApiDocument.Feature.DEPARTMENTS);
            features.add(ApiDocument.Feature.METRICS);
            Optional.ofNullable(service).ifPresent(s -> features.add(ApiDocument.Feature.SERVICE));
            Optional.ofNullable(transparency).ifPresent(t -> features.add(ApiDocument.Feature.TRANSPARENCY));
            Optional.ofNullable(open).ifPresent(o -> features.add(ApiDocument.Feature.OPEN_DATA));
            Optional.ofNullable(options.audit()).ifPresent(a -> features.add(ApiDocument.Feature.AUDIT));
        }
        Javalin app = Javalin.create(config -> {
            config.events.handlerAdded(h -> registered.add(h.getHttpMethod() + " " + h.getPath()));
            if (tls != null) {
                listeners.set(HttpsListeners.configure(config, host, port, tls));
            }
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
            OpenApiRoutes.register(config, features);
            if (authenticator != null && state != null) {
                LoginGuard guard = new LoginGuard(authenticator);
                // a person authenticates with the identity provider's token there, not with department credentials
                config.routes.before("/api/*", ctx -> {
                    if (!ctx.path().equals(ApiPaths.TRANSPARENCY_MY_EXCHANGES) && !OpenDataRoutes.isAnonymous(ctx.path())
                            && !ctx.path().equals(ApiPaths.OPENAPI)) {
                        authenticate(ctx, guard);
                    }
                });
                config.routes.get(ApiPaths.REQUESTS, ctx -> {
                    Authenticator.Caller caller = ctx.attribute(CALLER);
                    String me = caller.name();
                    Predicate<AccessRequest> filter = switch (role(ctx, "mine", "incoming")) {
                        case "mine" -> r -> r.getConsumer().equals(me);
                        case "incoming" -> r -> r.getProvider().equals(me);
                        default -> r -> caller.admin() || r.getConsumer().equals(me) || r.getProvider().equals(me);
                    };
                    sendJson(ctx, AvroJson.encode(state.requests(filter), AccessRequest.class));
                });
                config.routes.get(ApiPaths.GRANTS, ctx -> {
                    Authenticator.Caller caller = ctx.attribute(CALLER);
                    String me = caller.name();
                    Predicate<Grant> filter = switch (role(ctx, "consumer", "provider")) {
                        case "consumer" -> g -> g.getConsumer().equals(me);
                        case "provider" -> g -> g.getProvider().equals(me);
                        default -> g -> caller.admin() || g.getConsumer().equals(me) || g.getProvider().equals(me);
                    };
                    sendJson(ctx, AvroJson.encode(state.grants(filter), Grant.class));
                });
                if (service != null) {
                    ServiceRoutes.register(config.routes, service, ctx -> ((Authenticator.Caller) ctx.attribute(CALLER)).name(),
                            tls == null ? ServiceForwarder.plain() : ServiceForwarder.https(tls.caPem()));
                }
                if (transparency != null) {
                    transparency.register(config);
                }
                if (open != null) {
                    open.register(config.routes);   // open data: anonymous, read-only, rate-limited (docs/open-data.md)
                    open.registerForDepartments(config.routes, ctx -> ((Authenticator.Caller) ctx.attribute(CALLER)).name());
                }
                ViolationRoutes.register(config, state.bus(), CALLER);
                state.accountability.register(config.routes, CALLER);
                ApiCalls calls = ApiCalls.open(config, state.bus(), CALLER);   // commands sent with each caller's own credentials
                CatalogRoutes.register(config, calls);
                RequestRoutes.register(config, calls, id -> state.requests(r -> r.getRequestId().equals(id)).stream().findFirst());
                GrantRoutes.register(config, calls);
                CalendarRoutes.register(config, state.bus(), java.time.InstantSource.system());
                AccountabilityCommandRoutes.register(config, calls);
                NoticeRoutes.register(config, calls, state.bus());
                ProviderPublicRequestRoutes.register(config, calls, state.bus(), java.time.InstantSource.system());
                DeadLetterRoutes.register(config, calls, state.bus());
                AuthorityRoutes.register(config, calls, state.bus(), java.time.InstantSource.system());
                AuthorityAdminRoutes.register(config, calls, state.bus(), options.endpoints());
                if (options.audit() != null) {
                    AuditRoutes.register(config, calls, options.audit());
                }
                metrics.set(new BusMetrics(state.bus(), () -> state.requests(r -> true), java.time.InstantSource.system()));
                config.routes.before(ApiPaths.METRICS, ctx -> authenticate(ctx, guard));
                MetricsRoutes.register(config, metrics.get(), CALLER);
                BusMetrics counted = metrics.get();
                Console.register(config, guard, new ApiClient(consoleApiUrl::get), new ConsoleServices(options.console().clock(),
                        new CachedCalendar(state.bus(), options.console().clock()),
                        (consumer, resource) -> java.util.OptionalLong.of(counted.delivered(consumer, resource))), options.console());
                config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
                config.routes.exception(DatabusException.class, (e, ctx) -> error(ctx, 503, e.getMessage()));
            }
        });
        try {
            if (tls != null) {
                app.start();
            } else {
                app.start(host, port);
            }
        } catch (RuntimeException e) {
            app.stop();
            throw new DatabusException("cannot start the HTTP API on " + host + ":" + port
                    + (isBindFailure(e) ? ": the port is already in use (choose another with --http-port)" : ": " + e.getMessage()), e);
        }
        consoleApiUrl.set(tls != null ? listeners.get().loopbackUrl() : "http://" + host + ":" + app.port());
        if (tls != null) {
            String shown = advertisedHost == null || advertisedHost.isBlank() ? host : advertisedHost;
            return new HttpApi(app, listeners.get().secureUrl(shown), listeners.get().loopbackUrl(), state, open, registered, metrics.get());
        }
        String plain = "http://" + host + ":" + app.port();
        return new HttpApi(app, plain, plain, state, open, registered, metrics.get());
    }

    private static void authenticate(Context ctx, LoginGuard guard) {
        if (ctx.path().equals(ApiPaths.KEYS)) {
            return;   // the bus's public key (to check its proofs) is public
        }
        LoginGuard.Outcome outcome = guard.check(ctx.header("Authorization"), ctx.req().getRemoteAddr());
        if (outcome instanceof LoginGuard.Accepted accepted) {
            ctx.attribute(CALLER, accepted.caller());
        } else if (outcome instanceof LoginGuard.Throttled throttled) {
            ctx.header("Retry-After", throttled.retryAfterSeconds());
            throw new HttpResponseException(429, "Too many failed logins from " + ctx.req().getRemoteAddr() + ": try again in "
                    + throttled.retryAfterSeconds() + " s");
        } else {
            ctx.header("WWW-Authenticate", "Basic realm=\"databus\"");
            throw new HttpResponseException(401, "Unauthorized: the bus's HTTP API needs HTTP basic credentials of a department"
                    + " (sasl.username and sasl.password of its client config)");
        }
    }

    /** The {@code role} query parameter: one of the two named roles, or {@code all} (the default). */
    private static String role(Context ctx, String first, String second) {
        String role = ctx.queryParam("role");
        if (role == null || role.isBlank() || role.equals("all")) {
            return "all";
        }
        if (role.equals(first) || role.equals(second)) {
            return role;
        }
        throw new HttpResponseException(400, "role '" + role + "' is unknown: use " + first + ", " + second + " or all");
    }

    private static void sendJson(Context ctx, String json) {
        ctx.status(200).contentType("application/json").result(json.getBytes(StandardCharsets.UTF_8));
    }

    private static void error(Context ctx, int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error_code", status);
        body.put("message", message);
        ctx.status(status).json(body);
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

    /** The URL the bus's own services on this machine call: with TLS the loopback plain listener, else {@link #url()}. */
    public String internalUrl() {
        return internalUrl;
    }

    public int port() {
        return app.port();
    }

    /** The metrics this server serves at {@code /metrics}, to which the bus adds its streams apps; empty without department endpoints. */
    public Optional<BusMetrics> metrics() {
        return Optional.ofNullable(metrics);
    }

    /** The routes this server registered, as {@code "METHOD /path"} (the OpenAPI document must list exactly these). */
    public List<String> routes() {
        return routes;
    }

    @Override
    public void close() {
        app.stop();
        if (state != null) {
            state.close();
        }
        if (open != null) {
            open.close();
        }
    }
}
