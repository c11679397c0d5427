package cn.tianfu.databus.opendata.http;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.governance.client.GovernanceClient;
import cn.tianfu.databus.governance.rules.PublicRequestRules;
import cn.tianfu.databus.governance.rules.PublicReviewRules;
import cn.tianfu.databus.kafka.CompactedTopicReader;
import cn.tianfu.databus.opendata.Opening;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.Department;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.PublicRequest;
import cn.tianfu.databus.schemas.PublicReview;
import cn.tianfu.databus.schemas.SubmitPublicRequest;
import cn.tianfu.databus.serde.AvroSerde;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * Public requests to open data (Art. 34), anonymous: {@code POST /open/requests} files one (a JSON object:
 * {@code resource} — a catalogued resource not open yet — or {@code provider} — the department asked, for data outside
 * the catalogue —, {@code title}, {@code description}, {@code name}, {@code organization}, {@code contact}), sent to
 * governance on {@code cmd.bus} as the open-data platform; {@code GET /open/requests/<id>} is the request's public status
 * (never the requester's name or contact); {@code POST /open/requests/<id>/review} with {@code token} (returned once,
 * at filing) and {@code reason} asks the authority to review the answer (复核). Submissions are limited to {@value #SUBMIT_LIMIT} an hour per client
 * address, on top of the open-data routes' limit.
 */
final class PublicRequestRoutes implements AutoCloseable {

    /** Requests to open data one client address may file per hour. */
    static final int SUBMIT_LIMIT = 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(30);
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private final DatabusClientConfig bus;
    private final CompactedTopicReader<CatalogEntry> catalog;
    private final CompactedTopicReader<Department> departments;
    private final CompactedTopicReader<PublicRequest> requests;
    private final RateLimiter submissions;
    private final InstantSource clock;
    private GovernanceClient governance;

    PublicRequestRoutes(DatabusClientConfig bus, Map<String, Object> consumer, CompactedTopicReader<CatalogEntry> catalog,
                        CompactedTopicReader<Department> departments, InstantSource clock, Duration timeout) {
        this.bus = bus;
        this.catalog = catalog;
        this.departments = departments;
        this.clock = clock;
        AvroSerde<PublicRequest> serde = AvroSerde.specific(PublicRequest.class);
        serde.configure(bus.serdeConfig(), false);
        Map<String, Object> props = new java.util.HashMap<>(consumer);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "databus-http-public-requests");
        this.requests = new CompactedTopicReader<>(Topics.PUBLIC_REQUESTS, props, serde.deserializer(),
                PublicRequest::getId, timeout);
        this.submissions = new RateLimiter(SUBMIT_LIMIT, Duration.ofHours(1), clock);
    }

    /** Registers the routes; {@code limited} applies the open-data routes' limit (and answers 429) first. */
    void register(RoutesConfig routes, java.util.function.Predicate<Context> limited) {
        routes.post("/open/requests", ctx -> {
            if (!limited.test(ctx)) {
                submit(ctx);
            }
        });
        routes.get("/open/requests/{id}", ctx -> {
            if (!limited.test(ctx)) {
                status(ctx);
            }
        });
        routes.post("/open/requests/{id}/review", ctx -> {
            if (!limited.test(ctx)) {
                review(ctx);
            }
        });
    }

    private void submit(Context ctx) {
        long wait = submissions.acquire(ctx.req().getRemoteAddr());
        if (wait > 0) {
            ctx.header("Retry-After", Long.toString(wait));
            problem(ctx, 429, "at most " + SUBMIT_LIMIT + " requests to open data an hour from one address: try again in "
                    + wait + " s");
            return;
        }
        JsonNode body;
        try {
            body = JSON.readTree(ctx.body());
        } catch (IOException e) {
            problem(ctx, 400, "the body is not JSON: " + e.getMessage());
            return;
        }
        if (body == null || !body.isObject()) {
            problem(ctx, 400, "the body must be a JSON object with title, name, contact and resource or provider");
            return;
        }
        String resource = text(body, "resource");
        String provider = text(body, "provider");
        if (resource != null) {
            CatalogEntry entry = catalog.refresh().get(resource);
            if (entry == null) {
                problem(ctx, 404, "there is no resource '" + resource + "' in the catalogue; to ask for data outside it,"
                        + " name the department as provider instead");
                return;
            }
            if (Opening.isOpen(entry)) {
                problem(ctx, 409, "resource " + resource + " is open already: download it at /open/" + resource + ".csv");
                return;
            }
            if (provider != null && !provider.equals(entry.getProvider())) {
                problem(ctx, 400, "resource " + resource + " is provided by " + entry.getProvider() + ", not " + provider);
                return;
            }
            provider = entry.getProvider();
        } else if (provider == null) {
            problem(ctx, 400, "name the resource asked for (resource) or the department that holds the data (provider)");
            return;
        } else if (!departments.refresh().containsKey(provider)) {
            problem(ctx, 404, "there is no department '" + provider + "'");
            return;
        }
        String token = newToken();
        SubmitPublicRequest command = SubmitPublicRequest.newBuilder()
                .setProvider(provider)
                .setResourceCode(resource)
                .setTitle(orEmpty(text(body, "title")))
                .setDescription(text(body, "description"))
                .setRequesterName(orEmpty(text(body, "name")))
                .setRequesterOrganization(text(body, "organization"))
                .setRequesterContact(orEmpty(text(body, "contact")))
                .setReviewTokenDigest(PublicReviewRules.digest(token))
                .build();
        CommandResult result;
        GovernanceClient client = governance();
        result = client.await(client.submitPublicRequest(command), REPLY_TIMEOUT);
        if (result.getOutcome() != Outcome.PENDING) {
            problem(ctx, result.getOutcome() == Outcome.NOT_FOUND ? 404 : 400, result.getMessage());
            return;
        }
        String id = result.getSubjectId();
        ObjectNode out = JSON.createObjectNode();
        out.put("id", id);
        out.put("status", "PENDING");
        out.put("provider", provider);
        out.put("dueAt", PublicRequestRules.dueAt(result.getProcessedAt()).toString());
        out.put("statusUrl", ctx.scheme() + "://" + ctx.host() + "/open/requests/" + id);
        // shown once: the bus keeps only its digest; with it, and only with it, the requester may ask for review
        out.put("reviewToken", token);
        out.put("message", result.getMessage());
        ctx.status(201).header("Location", "/open/requests/" + id).contentType("application/json;charset=utf-8")
                .result(out.toString());
    }

    private void status(Context ctx) {
        String id = ctx.pathParam("id");
        PublicRequest r = PublicRequestRules.providerOf(id).isEmpty() ? null : requests.refresh().get(id);
        if (r == null) {
            problem(ctx, 404, "there is no public request '" + id + "'");
            return;
        }
        ctx.status(200).contentType("application/json;charset=utf-8").result(publicView(r, clock.instant()).toString());
    }

    /**
     * The requester disputes the answer and asks the authority for review (Art. 34): a JSON object with {@code token}
     * (the review token the filing returned) and {@code reason}; sent to governance as the open-data platform.
     */
    private void review(Context ctx) {
        String id = ctx.pathParam("id");
        JsonNode body;
        try {
            body = JSON.readTree(ctx.body());
        } catch (IOException e) {
            problem(ctx, 400, "the body is not JSON: " + e.getMessage());
            return;
        }
        if (body == null || !body.isObject()) {
            problem(ctx, 400, "the body must be a JSON object with token and reason");
            return;
        }
        String token = text(body, "token");
        String reason = text(body, "reason");
        if (token == null || reason == null) {
            problem(ctx, 400, token == null ? "token is required: the review token the filing of the request returned"
                    : "reason is required: why the answer is disputed");
            return;
        }
        if (reason.length() > PublicRequestRules.MAX_TEXT) {
            problem(ctx, 400, "reason is longer than " + PublicRequestRules.MAX_TEXT + " characters");
            return;
        }
        if (PublicRequestRules.providerOf(id).isEmpty() || requests.refresh().get(id) == null) {
            problem(ctx, 404, "there is no public request '" + id + "'");
            return;
        }
        GovernanceClient client = governance();
        CommandResult result = client.await(client.requestPublicReview(id, reason, PublicReviewRules.digest(token)),
                REPLY_TIMEOUT);
        if (!result.getAccepted()) {
            int status = switch (result.getOutcome()) {
                case NOT_FOUND -> 404;
                case INVALID -> 400;
                default -> result.getMessage().contains("token") ? 403 : 409;
            };
            problem(ctx, status, result.getMessage());
            return;
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("id", id);
        out.put("review", "REQUESTED");
        out.put("statusUrl", ctx.scheme() + "://" + ctx.host() + "/open/requests/" + id);
        out.put("message", result.getMessage());
        ctx.status(202).contentType("application/json;charset=utf-8").result(out.toString());
    }

    private static String newToken() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** What anyone may see of a request: never the requester's name, organisation or contact. */
    static ObjectNode publicView(PublicRequest r, Instant now) {
        ObjectNode out = JSON.createObjectNode();
        out.put("id", r.getId());
        out.put("provider", r.getProvider());
        out.put("resource", r.getResourceCode());
        out.put("title", r.getTitle());
        out.put("filedAt", r.getFiledAt().toString());
        out.put("dueAt", r.getDueAt().toString());
        out.put("status", r.getStatus().name());
        out.put("overdue", r.getAnsweredAt() == null ? now.isAfter(r.getDueAt()) : r.getAnsweredLate());
        out.put("summary", PublicRequestRules.statusLine(r, now));
        out.put("answeredAt", Optional.ofNullable(r.getAnsweredAt()).map(Instant::toString).orElse(null));
        out.put("answer", r.getAnswer());
        out.put("openedResource", r.getOpenedResourceCode());
        out.put("openBy", Optional.ofNullable(r.getOpenBy()).map(Object::toString).orElse(null));
        PublicReview review = r.getReview();
        if (review != null) {
            // the review's course and result, not the requester's reason (their own words may name them)
            ObjectNode v = out.putObject("review");
            v.put("state", review.getDecision() != null ? review.getDecision().name()
                    : review.getOpinion() != null ? "OPINION_RECORDED" : "REQUESTED");
            v.put("summary", PublicReviewRules.statusLine(review));
            v.put("requestedAt", review.getRequestedAt().toString());
            v.put("opinion", review.getOpinion());
            v.put("opinionAt", Optional.ofNullable(review.getOpinionAt()).map(Instant::toString).orElse(null));
            v.put("dueAt", Optional.ofNullable(review.getDueAt()).map(Instant::toString).orElse(null));
            v.put("overdue", review.getDueAt() != null && (review.getDecidedAt() == null
                    ? now.isAfter(review.getDueAt()) : review.getDecidedLate()));
            v.put("decidedAt", Optional.ofNullable(review.getDecidedAt()).map(Instant::toString).orElse(null));
            v.put("reason", review.getDecisionReason());
        }
        return out;
    }

    private synchronized GovernanceClient governance() {
        if (governance == null) {
            governance = GovernanceClient.create(bus);
        }
        return governance;
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        return n == null || n.isNull() || n.asText().isBlank() ? null : n.asText().strip();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static void problem(Context ctx, int status, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("error_code", status);
        body.put("message", message);
        ctx.status(status).contentType("application/json;charset=utf-8").result(body.toString());
    }

    @Override
    public synchronized void close() {
        requests.close();
        if (governance != null) {
            governance.close();
        }
    }
}
