package cn.tianfu.databus.opendata.http;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.TreeSet;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.kafka.CompactedTopicReader;
import cn.tianfu.databus.opendata.CkanPackages;
import cn.tianfu.databus.opendata.CkanSearch;
import cn.tianfu.databus.opendata.Dcat;
import cn.tianfu.databus.opendata.Opening;
import cn.tianfu.databus.opendata.Rdf;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Department;
import cn.tianfu.databus.serde.AvroSerde;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * The open-data routes, anonymous and read-only, rate-limited per client address ({@value #RATE_LIMIT} requests per
 * minute; over it 429 with {@code Retry-After}):
 * <ul>
 * <li>the CKAN Action API subset at {@code /api/3/action/<name>} and {@code /api/action/<name>} (GET with query
 * parameters, POST with a JSON object): {@code package_list}, {@code package_show}, {@code package_search},
 * {@code organization_list}, {@code organization_show}, {@code resource_show}, {@code tag_list}; answers in CKAN's
 * envelope {@code {"help", "success", "result"}}, errors as CKAN's ({@code Not Found Error} 404,
 * {@code Validation Error} 409, unknown action 400);</li>
 * <li>DCAT-AP 3 at {@code /catalog.ttl} and {@code /catalog.jsonld};</li>
 * <li>downloads at {@code /open/<code>.csv} and {@code /open/<code>.json}, with ETag and Last-Modified;</li>
 * <li>public requests to open data ({@link PublicRequestRoutes}): {@code POST /open/requests},
 * {@code GET /open/requests/<id>}.</li>
 * </ul>
 * Only open resources ({@link Opening#isOpen}) appear.
 */
public final class OpenDataRoutes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OpenDataRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Requests per client address per minute. */
    public static final int RATE_LIMIT = 600;
    private static final List<String> ACTIONS = List.of("package_list", "package_show", "package_search",
            "organization_list", "organization_show", "resource_show", "tag_list");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final CompactedTopicReader<CatalogEntry> catalog;
    private final CompactedTopicReader<Department> departments;
    private final DownloadCounts counts;
    private final OpenDownloads downloads;
    private final RateLimiter limiter;
    private final PublicRequestRoutes publicRequests;
    private final CommentRoutes comments;

    /** The routes reading the bus with {@code bus} (the bus principal's client config). */
    public OpenDataRoutes(DatabusClientConfig bus, InstantSource clock) {
        Duration timeout = Duration.ofSeconds(10);
        Map<String, Object> consumer = new HashMap<>(bus.kafkaProperties());
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.CLIENT_ID_CONFIG, "databus-http-open-catalog");
        AvroSerde<CatalogEntry> c = AvroSerde.specific(CatalogEntry.class);
        c.configure(bus.serdeConfig(), false);
        AvroSerde<Department> d = AvroSerde.specific(Department.class);
        d.configure(bus.serdeConfig(), false);
        this.catalog = new CompactedTopicReader<>(Topics.CATALOG, consumer, c.deserializer(), CatalogEntry::getCode, timeout);
        this.departments = new CompactedTopicReader<>(Topics.DEPARTMENTS, consumer, d.deserializer(), Department::getId, timeout);
        this.counts = new DownloadCounts(bus, timeout);
        this.downloads = new OpenDownloads(bus, timeout);
        this.limiter = new RateLimiter(RATE_LIMIT, Duration.ofMinutes(1), clock);
        this.publicRequests = new PublicRequestRoutes(bus, consumer, catalog, departments, clock, timeout);
        this.comments = new CommentRoutes(bus, consumer, clock, timeout);
    }

    /** Whether a path is served anonymously here (so the API's authentication leaves it alone). */
    public static boolean isAnonymous(String path) {
        return path.startsWith("/api/3/action/") || path.startsWith("/api/action/");
    }

    /** Registers the routes. */
    public void register(RoutesConfig routes) {
        for (String prefix : List.of("/api/3/action/", "/api/action/")) {
            routes.get(prefix + "{action}", this::action);
            routes.post(prefix + "{action}", this::action);
        }
        routes.get("/catalog.ttl", ctx -> dcat(ctx, true));
        routes.get("/catalog.jsonld", ctx -> dcat(ctx, false));
        routes.get("/open/{file}", this::download);
        publicRequests.register(routes, this::limited);
        comments.register(routes, this::limited, code -> openEntries().stream()
                .filter(e -> e.getCode().equalsIgnoreCase(code)).findFirst());
    }

    /**
     * Registers the department routes of open data, behind the API's authentication ({@code caller} names the
     * authenticated principal): a provider's answer to a comment. The public requests to a department are the API's
     * ({@code server.api.ProviderPublicRequestRoutes}).
     */
    public void registerForDepartments(RoutesConfig routes, java.util.function.Function<Context, String> caller) {
        comments.registerForDepartments(routes, caller);
    }

    private boolean limited(Context ctx) {
        long wait = limiter.acquire(ctx.req().getRemoteAddr());
        if (wait == 0) {
            return false;
        }
        ctx.header("Retry-After", Long.toString(wait));
        ObjectNode body = JSON.createObjectNode();
        body.put("success", false);
        ObjectNode error = body.putObject("error");
        error.put("__type", "Rate Limit Error");
        error.put("message", "too many requests from " + ctx.req().getRemoteAddr() + ": try again in " + wait + " s");
        ctx.status(429).contentType("application/json").result(body.toString());
        return true;
    }

    // ---- CKAN ----

    private void action(Context ctx) {
        if (limited(ctx)) {
            return;
        }
        String action = ctx.pathParam("action");
        String help = base(ctx) + "/api/3/action/help_show?name=" + action;
        if (!ACTIONS.contains(action)) {
            ObjectNode body = JSON.createObjectNode();
            body.put("help", help);
            body.put("success", false);
            ObjectNode error = body.putObject("error");
            error.put("__type", "Not Found Error");
            error.put("message", "Action name not known: " + action);
            ctx.status(400).contentType("application/json").result(body.toString());
            return;
        }
        Map<String, String> params;
        try {
            params = params(ctx);
        } catch (IllegalArgumentException e) {
            error(ctx, help, 400, "Bad request", Map.of("message", e.getMessage()));
            return;
        }
        try {
            JsonNode result = switch (action) {
                case "package_list" -> packageList(ctx, params);
                case "package_show" -> packageShow(ctx, params);
                case "package_search" -> CkanSearch.search(packages(ctx), CkanSearch.Query.parse(params));
                case "organization_list" -> organizationList(ctx, params);
                case "organization_show" -> organizationShow(ctx, params);
                case "resource_show" -> resourceShow(ctx, params);
                default -> tagList(ctx);
            };
            ObjectNode body = JSON.createObjectNode();
            body.put("help", help);
            body.put("success", true);
            body.set("result", result);
            ctx.status(200).contentType("application/json;charset=utf-8").result(body.toString());
        } catch (NotFound e) {
            error(ctx, help, 404, "Not Found Error", Map.of("message", e.getMessage()));
        } catch (CkanSearch.ValidationException e) {
            error(ctx, help, 409, "Validation Error", Map.of(e.field(), List.of(e.getMessage())));
        }
    }

    private static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message);
        }
    }

    private static void error(Context ctx, String help, int status, String type, Map<String, Object> details) {
        ObjectNode body = JSON.createObjectNode();
        body.put("help", help);
        body.put("success", false);
        ObjectNode error = body.putObject("error");
        error.put("__type", type);
        details.forEach((k, v) -> error.set(k, JSON.valueToTree(v)));
        ctx.status(status).contentType("application/json;charset=utf-8").result(body.toString());
    }

    /** GET query parameters, or the POSTed JSON object's members (strings as they are, others as JSON text). */
    private static Map<String, String> params(Context ctx) {
        Map<String, String> out = new LinkedHashMap<>();
        ctx.queryParamMap().forEach((k, v) -> {
            if (!v.isEmpty()) {
                out.put(k, v.get(0));
            }
        });
        if ("POST".equals(ctx.method().name())) {
            String body = ctx.body();
            if (body != null && !body.isBlank()) {
                JsonNode n;
                try {
                    n = JSON.readTree(body);
                } catch (IOException e) {
                    throw new IllegalArgumentException("the body is not JSON: " + e.getMessage());
                }
                if (!n.isObject()) {
                    throw new IllegalArgumentException("the body must be a JSON object of the action's parameters");
                }
                n.fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue().isTextual() ? f.getValue().asText()
                        : f.getValue().toString()));
            }
        }
        return out;
    }

    private List<CatalogEntry> openEntries() {
        List<CatalogEntry> out = new ArrayList<>();
        for (CatalogEntry e : catalog.refresh().values()) {
            if (Opening.isOpen(e)) {
                out.add(e);
            }
        }
        out.sort(Comparator.comparing(CatalogEntry::getCode));
        return out;
    }

    private Map<String, String> departmentNames() {
        Map<String, String> names = new HashMap<>();
        try {
            departments.refresh().forEach((id, d) -> names.put(id, d.getName()));
        } catch (RuntimeException e) {
            LOG.debug("Department names unavailable: {}", e.getMessage());
        }
        return names;
    }

    private List<ObjectNode> packages(Context ctx) {
        Map<String, String> names = departmentNames();
        String base = base(ctx);
        return openEntries().stream().map(e -> pkg(e, names, base)).toList();
    }

    private ObjectNode pkg(CatalogEntry e, Map<String, String> names, String base) {
        ObjectNode p = CkanPackages.toPackage(e, names.getOrDefault(e.getProvider(), e.getProvider()), base);
        p.put("download_count", counts.of(e.getCode()));
        CommentRoutes.Stats stats = CommentRoutes.stats(comments.of(e.getCode()));
        p.put("num_comments", stats.count());   // Art. 35: the public's comments and mean rating
        if (stats.count() > 0) {
            p.put("rating", stats.rating());
        } else {
            p.putNull("rating");
        }
        return p;
    }

    private CatalogEntry open(String idOrName) {
        if (idOrName == null || idOrName.isBlank()) {
            throw new CkanSearch.ValidationException("id", "Missing value");
        }
        for (CatalogEntry e : openEntries()) {
            if (e.getCode().equalsIgnoreCase(idOrName)) {
                return e;
            }
        }
        throw new NotFound("Not found");
    }

    private JsonNode packageList(Context ctx, Map<String, String> params) {
        int limit = natural(params, "limit", Integer.MAX_VALUE);
        int offset = natural(params, "offset", 0);
        ArrayNode out = JSON.createArrayNode();
        List<CatalogEntry> open = openEntries();
        for (int i = offset; i < open.size() && out.size() < limit; i++) {
            out.add(open.get(i).getCode().toLowerCase(java.util.Locale.ROOT));
        }
        return out;
    }

    private JsonNode packageShow(Context ctx, Map<String, String> params) {
        CatalogEntry e = open(params.get("id"));
        return pkg(e, departmentNames(), base(ctx));
    }

    private JsonNode resourceShow(Context ctx, Map<String, String> params) {
        String id = params.get("id");
        if (id == null || id.isBlank()) {
            throw new CkanSearch.ValidationException("id", "Missing value");
        }
        for (CatalogEntry e : openEntries()) {
            int position = 0;
            for (CkanPackages.Format f : CkanPackages.Format.values()) {
                if (CkanPackages.resourceId(e.getCode(), f).equalsIgnoreCase(id)) {
                    ObjectNode r = CkanPackages.resource(e, f, base(ctx), position);
                    r.put("download_count", counts.of(e.getCode()));
                    return r;
                }
                position++;
            }
        }
        throw new NotFound("Resource was not found.");
    }

    private JsonNode organizationList(Context ctx, Map<String, String> params) {
        boolean all = Boolean.parseBoolean(params.getOrDefault("all_fields", "false"));
        Map<String, String> names = departmentNames();
        Map<String, Integer> datasets = new java.util.TreeMap<>();
        for (CatalogEntry e : openEntries()) {
            datasets.merge(e.getProvider(), 1, Integer::sum);
        }
        ArrayNode out = JSON.createArrayNode();
        datasets.forEach((dept, n) -> {
            if (all) {
                ObjectNode o = CkanPackages.organization(dept, names.getOrDefault(dept, dept));
                o.put("package_count", n);
                out.add(o);
            } else {
                out.add(dept);
            }
        });
        return out;
    }

    private JsonNode organizationShow(Context ctx, Map<String, String> params) {
        String id = params.get("id");
        if (id == null || id.isBlank()) {
            throw new CkanSearch.ValidationException("id", "Missing value");
        }
        Map<String, String> names = departmentNames();
        List<ObjectNode> theirs = new ArrayList<>();
        String base = base(ctx);
        for (CatalogEntry e : openEntries()) {
            if (e.getProvider().equals(id)) {
                theirs.add(pkg(e, names, base));
            }
        }
        if (theirs.isEmpty()) {
            throw new NotFound("Organization not found");
        }
        ObjectNode o = CkanPackages.organization(id, names.getOrDefault(id, id));
        o.put("package_count", theirs.size());
        if (Boolean.parseBoolean(params.getOrDefault("include_datasets", "false"))) {
            ArrayNode ps = o.putArray("packages");
            theirs.forEach(ps::add);
        }
        return o;
    }

    private JsonNode tagList(Context ctx) {
        TreeSet<String> tags = new TreeSet<>();
        for (CatalogEntry e : openEntries()) {
            tags.addAll(CkanPackages.tags(e));
        }
        ArrayNode out = JSON.createArrayNode();
        tags.forEach(out::add);
        return out;
    }

    private static int natural(Map<String, String> params, String name, int dflt) {
        String v = params.get(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 0) {
                throw new CkanSearch.ValidationException(name, "Must be a natural number");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new CkanSearch.ValidationException(name, "Invalid integer");
        }
    }

    // ---- DCAT ----

    private void dcat(Context ctx, boolean turtle) {
        if (limited(ctx)) {
            return;
        }
        List<CatalogEntry> open = openEntries();
        Map<String, String> names = departmentNames();
        Instant modified = open.stream().map(CatalogEntry::getLastChanged).max(Comparator.naturalOrder())
                .orElse(Instant.EPOCH);
        Rdf graph = Dcat.catalog(open, d -> names.getOrDefault(d, d), base(ctx), modified);
        if (turtle) {
            ctx.status(200).contentType("text/turtle;charset=utf-8").result(graph.turtle());
        } else {
            ctx.status(200).contentType("application/ld+json;charset=utf-8").result(graph.jsonLd());
        }
    }

    // ---- downloads ----

    private void download(Context ctx) throws IOException {
        if (limited(ctx)) {
            return;
        }
        String file = ctx.pathParam("file");
        int dot = file.lastIndexOf('.');
        CkanPackages.Format format = dot < 0 ? null : OpenDownloads.format(file.substring(dot + 1));
        String code = dot < 0 ? file : file.substring(0, dot);
        CatalogEntry entry = format == null ? null
                : openEntries().stream().filter(e -> e.getCode().equals(code)).findFirst().orElse(null);
        if (entry == null) {
            ctx.status(404).contentType("text/plain;charset=utf-8").result("no open resource " + file
                    + ": see /api/3/action/package_list; downloads are /open/<code>.csv and /open/<code>.json");
            return;
        }
        try (OpenDownloads.Snapshot s = downloads.snapshot(entry)) {
            String etag = s.version();
            ctx.header("ETag", etag);
            ctx.header("Cache-Control", "public, no-cache");
            String ifNoneMatch = ctx.header("If-None-Match");
            if (ifNoneMatch != null && (ifNoneMatch.equals(etag) || ifNoneMatch.equals("W/" + etag) || ifNoneMatch.equals("*"))) {
                ctx.status(304);
                return;
            }
            s.index();
            ctx.header("Last-Modified", HTTP_DATE.format(s.lastModified()));
            ctx.header("Content-Disposition", "attachment; filename=\"" + file + "\"");
            ctx.status(200).contentType(format.mediaType() + ";charset=utf-8");
            counts.count(entry.getCode());
            if (format == CkanPackages.Format.CSV) {
                OpenDownloads.csv(s, entry, ctx.outputStream());
            } else {
                OpenDownloads.json(s, entry, ctx.outputStream());
            }
        }
    }

    private static String base(Context ctx) {
        return ctx.scheme() + "://" + ctx.host();
    }

    @Override
    public void close() {
        catalog.close();
        departments.close();
        counts.close();
        publicRequests.close();
        comments.close();
    }
}
