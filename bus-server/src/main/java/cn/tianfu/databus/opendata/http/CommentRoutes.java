package cn.tianfu.databus.opendata.http;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.kafka.CompactedTopicReader;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.PublicComment;
import cn.tianfu.databus.serde.AvroSerde;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * The public's comments and ratings on open datasets (互动机制, Art. 35), on the compacted {@code bus.comments} (key: the
 * comment id), which only this API writes: {@code POST /open/datasets/<code>/comments} (anonymous: {@code text}, a
 * {@code rating} 1-5, an optional display {@code name}; no contact data is asked for or kept),
 * {@code GET /open/datasets/<code>/comments} (newest first, paged), and the provider's answer,
 * {@code POST /api/v1/comments/<id>/answer} (authenticated: only the dataset's provider). Posting is limited to
 * {@value #POST_LIMIT} comments an hour per client address, on top of the open-data routes' limit.
 */
final class CommentRoutes implements AutoCloseable {

    /** Comments one client address may post per hour. */
    static final int POST_LIMIT = 20;
    /** Longest comment text. */
    static final int MAX_TEXT = 1000;
    /** Longest display name. */
    static final int MAX_NAME = 50;
    /** Largest page of comments. */
    static final int MAX_PAGE = 100;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** A dataset's comment count and mean rating. */
    record Stats(int count, double rating) {
    }

    private final CompactedTopicReader<PublicComment> reader;
    private final KafkaProducer<String, PublicComment> producer;
    private final Map<String, PublicComment> written = new ConcurrentHashMap<>();
    private final RateLimiter posts;
    private final InstantSource clock;

    CommentRoutes(DatabusClientConfig bus, Map<String, Object> consumer, InstantSource clock, Duration timeout) {
        this.clock = clock;
        AvroSerde<PublicComment> serde = AvroSerde.specific(PublicComment.class);
        serde.configure(bus.serdeConfig(), false);
        Map<String, Object> c = new HashMap<>(consumer);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "databus-http-comments");
        this.reader = new CompactedTopicReader<>(Topics.COMMENTS, c, serde.deserializer(), PublicComment::getId, timeout);
        Map<String, Object> p = new HashMap<>(bus.kafkaProperties());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "databus-http-comments");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), serde.serializer());
        this.posts = new RateLimiter(POST_LIMIT, Duration.ofHours(1), clock);
    }

    /**
     * Registers the public routes; {@code limited} applies the open-data routes' limit (and answers 429) first;
     * {@code openEntry} finds an open dataset by code (empty: unknown or not open).
     */
    void register(RoutesConfig routes, Predicate<Context> limited, Function<String, Optional<CatalogEntry>> openEntry) {
        routes.post("/open/datasets/{code}/comments", ctx -> {
            if (!limited.test(ctx)) {
                post(ctx, openEntry);
            }
        });
        routes.get("/open/datasets/{code}/comments", ctx -> {
            if (!limited.test(ctx)) {
                list(ctx, openEntry);
            }
        });
    }

    /** Registers the provider's answer; {@code caller} names the authenticated department. */
    void registerForDepartments(RoutesConfig routes, Function<Context, String> caller) {
        routes.post("/api/v1/comments/{id}/answer", ctx -> answer(ctx, caller.apply(ctx)));
    }

    private void post(Context ctx, Function<String, Optional<CatalogEntry>> openEntry) {
        long wait = posts.acquire(ctx.req().getRemoteAddr());
        if (wait > 0) {
            ctx.header("Retry-After", Long.toString(wait));
            problem(ctx, 429, "at most " + POST_LIMIT + " comments an hour from one address: try again in " + wait + " s");
            return;
        }
        String code = ctx.pathParam("code");
        Optional<CatalogEntry> entry = openEntry.apply(code);
        if (entry.isEmpty()) {
            problem(ctx, 404, "there is no open dataset '" + code + "'");
            return;
        }
        JsonNode body;
        try {
            body = JSON.readTree(ctx.body());
        } catch (IOException e) {
            problem(ctx, 400, "the body is not JSON: " + e.getMessage());
            return;
        }
        Optional<String> bad = check(body);
        if (bad.isPresent()) {
            problem(ctx, 400, bad.get());
            return;
        }
        String name = text(body, "name");
        PublicComment comment = PublicComment.newBuilder()
                .setId(entry.get().getCode() + ".C" + Long.toString(clock.millis(), 36)
                        + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36))
                .setResourceCode(entry.get().getCode())
                .setProvider(entry.get().getProvider())
                .setName(name)
                .setText(text(body, "text"))
                .setRating(body.get("rating").asInt())
                .setPostedAt(clock.instant())
                .build();
        write(comment);
        ctx.status(201).header("Location", "/open/datasets/" + comment.getResourceCode() + "/comments")
                .contentType("application/json;charset=utf-8").result(view(comment).toString());
    }

    /** Why a comment's body is refused, if it is. */
    static Optional<String> check(JsonNode body) {
        if (body == null || !body.isObject()) {
            return Optional.of("the body must be a JSON object with text and rating (1-5), and optionally name");
        }
        String text = text(body, "text");
        if (text == null) {
            return Optional.of("text is required");
        }
        if (text.length() > MAX_TEXT) {
            return Optional.of("text is longer than " + MAX_TEXT + " characters");
        }
        JsonNode rating = body.get("rating");
        if (rating == null || !rating.isIntegralNumber() || rating.asInt() < 1 || rating.asInt() > 5) {
            return Optional.of("rating must be a whole number from 1 to 5");
        }
        String name = text(body, "name");
        if (name != null && name.length() > MAX_NAME) {
            return Optional.of("name is longer than " + MAX_NAME + " characters");
        }
        for (String field : List.of("contact", "email", "phone", "telephone")) {
            if (body.hasNonNull(field)) {
                return Optional.of("'" + field + "' is not accepted: comments are public and keep no contact data");
            }
        }
        return Optional.empty();
    }

    private void list(Context ctx, Function<String, Optional<CatalogEntry>> openEntry) {
        String code = ctx.pathParam("code");
        Optional<CatalogEntry> entry = openEntry.apply(code);
        if (entry.isEmpty()) {
            problem(ctx, 404, "there is no open dataset '" + code + "'");
            return;
        }
        int limit;
        int offset;
        try {
            limit = Integer.parseInt(Optional.ofNullable(ctx.queryParam("limit")).orElse("20"));
            offset = Integer.parseInt(Optional.ofNullable(ctx.queryParam("offset")).orElse("0"));
        } catch (NumberFormatException e) {
            problem(ctx, 400, "limit and offset must be whole numbers");
            return;
        }
        if (limit < 1 || limit > MAX_PAGE || offset < 0) {
            problem(ctx, 400, "limit must be 1-" + MAX_PAGE + " and offset not negative");
            return;
        }
        List<PublicComment> all = of(entry.get().getCode());
        Stats stats = stats(all);
        ObjectNode out = JSON.createObjectNode();
        out.put("dataset", entry.get().getCode());
        out.put("count", stats.count());
        if (stats.count() > 0) {
            out.put("rating", stats.rating());
        } else {
            out.putNull("rating");
        }
        out.put("limit", limit);
        out.put("offset", offset);
        ArrayNode items = out.putArray("comments");
        all.stream().skip(offset).limit(limit).forEach(c -> items.add(view(c)));
        ctx.status(200).contentType("application/json;charset=utf-8").result(out.toString());
    }

    private void answer(Context ctx, String caller) {
        String id = ctx.pathParam("id");
        PublicComment comment = all().get(id);
        if (comment == null) {
            problem(ctx, 404, "there is no comment '" + id + "'");
            return;
        }
        if (!comment.getProvider().equals(caller)) {
            problem(ctx, 403, "comment " + id + " is on " + comment.getResourceCode() + " of " + comment.getProvider()
                    + "; only its provider may answer it");
            return;
        }
        JsonNode body;
        try {
            body = JSON.readTree(ctx.body());
        } catch (IOException e) {
            problem(ctx, 400, "the body is not JSON: " + e.getMessage());
            return;
        }
        String text = body == null || !body.isObject() ? null : text(body, "answer");
        if (text == null || text.length() > MAX_TEXT) {
            problem(ctx, 400, "answer is required, at most " + MAX_TEXT + " characters");
            return;
        }
        PublicComment answered = PublicComment.newBuilder(comment).setAnswer(text).setAnsweredAt(clock.instant())
                .setAnsweredBy(caller).build();
        write(answered);
        ctx.status(200).contentType("application/json;charset=utf-8").result(view(answered).toString());
    }

    /** The comments on {@code code}, newest first. */
    List<PublicComment> of(String code) {
        return all().values().stream().filter(c -> c.getResourceCode().equals(code))
                .sorted(Comparator.comparing(PublicComment::getPostedAt).reversed().thenComparing(PublicComment::getId))
                .toList();
    }

    /** Count and mean rating of each commented dataset. */
    Map<String, Stats> stats() {
        Map<String, List<PublicComment>> by = new HashMap<>();
        all().values().forEach(c -> by.computeIfAbsent(c.getResourceCode(), k -> new java.util.ArrayList<>()).add(c));
        Map<String, Stats> out = new HashMap<>();
        by.forEach((code, list) -> out.put(code, stats(list)));
        return out;
    }

    static Stats stats(List<PublicComment> comments) {
        if (comments.isEmpty()) {
            return new Stats(0, 0);
        }
        double mean = comments.stream().mapToInt(PublicComment::getRating).average().orElse(0);
        return new Stats(comments.size(), Math.round(mean * 100) / 100.0);
    }

    /** What anyone may see of a comment. */
    private static ObjectNode view(PublicComment c) {
        ObjectNode out = JSON.createObjectNode();
        out.put("id", c.getId());
        out.put("dataset", c.getResourceCode());
        out.put("name", c.getName());
        out.put("text", c.getText());
        out.put("rating", c.getRating());
        out.put("postedAt", c.getPostedAt().toString());
        out.put("answer", c.getAnswer());
        out.put("answeredAt", Optional.ofNullable(c.getAnsweredAt()).map(Instant::toString).orElse(null));
        return out;
    }

    /** The topic's comments, with those this API wrote and has not read back yet. */
    private Map<String, PublicComment> all() {
        Map<String, PublicComment> out = new HashMap<>(reader.refresh());
        written.forEach((id, c) -> out.merge(id, c, (read, mine) -> newer(mine, read) ? mine : read));
        return out;
    }

    private static boolean newer(PublicComment a, PublicComment b) {
        return a.getAnsweredAt() != null && b.getAnsweredAt() == null;
    }

    private void write(PublicComment comment) {
        try {
            producer.send(new ProducerRecord<>(Topics.COMMENTS, comment.getId(), comment))
                    .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing comment " + comment.getId(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new cn.tianfu.databus.governance.client.GovernanceException("cannot write comment " + comment.getId()
                    + " to " + Topics.COMMENTS + ": " + e.getMessage(), true);
        }
        written.put(comment.getId(), comment);
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        return n == null || n.isNull() || !n.isTextual() || n.asText().isBlank() ? null : n.asText().strip();
    }

    private static void problem(Context ctx, int status, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("error_code", status);
        body.put("message", message);
        ctx.status(status).contentType("application/json;charset=utf-8").result(body.toString());
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(2));
        reader.close();
    }
}
