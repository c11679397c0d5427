package cn.tianfu.databus.governance.client.internal;

import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.client.AvroJson;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

import org.apache.avro.specific.SpecificRecord;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.config.DatabusConfigException;
import cn.tianfu.databus.governance.client.GovernanceException;
import cn.tianfu.databus.governance.client.GrantsView;
import cn.tianfu.databus.governance.client.RequestsView;
import cn.tianfu.databus.governance.client.ViolationsView;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.AccessRequest;
import cn.tianfu.databus.schemas.Dispute;
import cn.tianfu.databus.schemas.ErrorReport;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.security.BusAuthenticationException;
import cn.tianfu.databus.security.BusAuthorizationException;
import cn.tianfu.databus.security.BusUnreachableException;

/**
 * The requests and grants views served by the bus's HTTP API ({@code GET /api/v1/requests}, {@code GET /api/v1/grants}),
 * authenticated with the department's credentials. The bus reads the raw {@code bus.requests} and {@code bus.grants}
 * with its own principal and answers only what concerns the caller; departments have no ACL on those topics.
 */
public final class HttpViews {

    private HttpViews() {
    }

    public static RequestsView requests(DatabusClientConfig config, Duration timeout) {
        return new Requests(new Fetcher<>(config, timeout, ApiPaths.REQUESTS, AccessRequest.class));
    }

    public static GrantsView grants(DatabusClientConfig config, Duration timeout) {
        return new Grants(new Fetcher<>(config, timeout, ApiPaths.GRANTS, Grant.class));
    }

    public static ViolationsView violations(DatabusClientConfig config, Duration timeout) {
        return new Violations(new Fetcher<>(config, timeout, ApiPaths.VIOLATIONS, Violation.class));
    }

    /** The error reports the caller may see (all for the bus principal), read once. */
    public static List<ErrorReport> reports(DatabusClientConfig config, Duration timeout) {
        return new Fetcher<>(config, timeout, ApiPaths.REPORTS, ErrorReport.class).fetch();
    }

    /** The disputes the caller may see (all for the bus principal), read once. */
    public static List<Dispute> disputes(DatabusClientConfig config, Duration timeout) {
        return new Fetcher<>(config, timeout, ApiPaths.DISPUTES, Dispute.class).fetch();
    }

    private static final class Fetcher<V extends SpecificRecord> {
        private final HttpClient http;
        private final URI uri;
        private final String authorization;
        private final Duration timeout;
        private final Class<V> type;
        private final String principal;

        Fetcher(DatabusClientConfig config, Duration timeout, String path, Class<V> type) {
            String base = config.httpUrl().orElseThrow(() -> new DatabusConfigException("client", List.of(
                    DatabusClientConfig.HTTP_URL_CONFIG + " is required for the requests and grants views (the bus's HTTP API,"
                            + " e.g. http://127.0.0.1:8080; 'databus dept add' writes it into the client config)")));
            this.uri = URI.create(base.replaceAll("/+$", "") + path + "?role=all");
            this.authorization = config.basicAuthUserInfo()
                    .map(i -> "Basic " + Base64.getEncoder().encodeToString(i.getBytes(StandardCharsets.UTF_8))).orElse(null);
            this.http = HttpClient.newBuilder().connectTimeout(timeout).sslContext(config.httpSslContext()).build();
            this.timeout = timeout;
            this.type = type;
            this.principal = config.principal();
        }

        List<V> fetch() {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET();
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (HttpTimeoutException | ConnectException e) {
                throw new BusUnreachableException("the bus's HTTP API at " + uri.getAuthority() + " did not answer within "
                        + timeout.toSeconds() + " s: is the bus running, and is " + DatabusClientConfig.HTTP_URL_CONFIG + " right?", e);
            } catch (IOException e) {
                throw new BusUnreachableException("cannot reach the bus's HTTP API at " + uri.getAuthority() + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GovernanceException("interrupted while reading " + uri.getPath(), e, true);
            }
            switch (response.statusCode()) {
                case 200 -> {
                    try {
                        return AvroJson.decode(response.body(), type);
                    } catch (IOException | RuntimeException e) {
                        throw new GovernanceException("the bus answered " + uri.getPath() + " with a body this SDK cannot read: "
                                + e.getMessage(), e, false);
                    }
                }
                case 401 -> throw new BusAuthenticationException("the bus's HTTP API refused the credentials of '" + principal
                        + "': check sasl.username and sasl.password in the client config", null);
                case 403 -> throw new BusAuthorizationException("'" + principal + "' may not read " + uri.getPath() + ": "
                        + response.body(), null);
                default -> throw new GovernanceException("the bus answered " + uri.getPath() + " with HTTP " + response.statusCode()
                        + ": " + response.body(), response.statusCode() >= 500);
            }
        }
    }

    private abstract static class Base<V extends SpecificRecord> {
        private final Fetcher<V> fetcher;
        private final Function<V, String> id;
        private volatile List<V> all;

        Base(Fetcher<V> fetcher, Function<V, String> id) {
            this.fetcher = fetcher;
            this.id = id;
            this.all = fetcher.fetch();
        }

        public void refresh() {
            all = fetcher.fetch();
        }

        Optional<V> get(String key) {
            return all.stream().filter(v -> id.apply(v).equals(key)).findFirst();
        }

        List<V> select(Predicate<V> filter, Comparator<V> order) {
            return all.stream().filter(filter).sorted(order).toList();
        }

        public void close() {
            // nothing held between calls
        }
    }

    private static final class Requests extends Base<AccessRequest> implements RequestsView {
        private static final Comparator<AccessRequest> BY_FILING = Comparator.comparing(AccessRequest::getFiledAt)
                .thenComparing(AccessRequest::getRequestId);
        private final String department;

        Requests(Fetcher<AccessRequest> fetcher) {
            super(fetcher, AccessRequest::getRequestId);
            this.department = fetcher.principal;
        }

        @Override
        public Optional<AccessRequest> byId(String requestId) {
            return get(requestId);
        }

        @Override
        public List<AccessRequest> mine() {
            return select(r -> r.getConsumer().equals(department), BY_FILING);
        }

        @Override
        public List<AccessRequest> incoming() {
            return select(r -> r.getProvider().equals(department), BY_FILING);
        }
    }

    private static final class Grants extends Base<Grant> implements GrantsView {
        private static final Comparator<Grant> BY_CREATION = Comparator.comparing(Grant::getCreatedAt).thenComparing(Grant::getGrantId);
        private final String department;

        Grants(Fetcher<Grant> fetcher) {
            super(fetcher, Grant::getGrantId);
            this.department = fetcher.principal;
        }

        @Override
        public Optional<Grant> byId(String grantId) {
            return get(grantId);
        }

        @Override
        public List<Grant> asConsumer() {
            return select(g -> g.getConsumer().equals(department), BY_CREATION);
        }

        @Override
        public List<Grant> asProvider() {
            return select(g -> g.getProvider().equals(department), BY_CREATION);
        }
    }

    private static final class Violations extends Base<Violation> implements ViolationsView {
        private static final Comparator<Violation> BY_DUE = Comparator.comparing(Violation::getDueAt).thenComparing(Violation::getId);

        Violations(Fetcher<Violation> fetcher) {
            super(fetcher, Violation::getId);
        }

        @Override
        public Optional<Violation> byId(String violationId) {
            return get(violationId);
        }

        @Override
        public List<Violation> all() {
            return select(v -> true, BY_DUE);
        }
    }
}
