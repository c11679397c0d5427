package cn.tianfu.databus.registry.server.internal;

import java.nio.charset.StandardCharsets;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import cn.tianfu.databus.auth.Authenticator;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;

/**
 * The Confluent Schema Registry REST routes and JSON shapes over a {@link SchemaStore}. Only translation lives here:
 * path and query parameters and bodies in, JSON documents and {@code {"error_code":N,"message":"..."}} out.
 */
public final class RegistryHttpApi {

    /** Content type of every response, as Confluent Schema Registry answers. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    /**
     * What responses declare: the media type with its charset, so the body (schemas carry docs and properties in
     * Chinese) is encoded as UTF-8 and not in the servlet default ISO-8859-1, which turns them into '?'.
     */
    private static final String RESPONSE_CONTENT_TYPE = CONTENT_TYPE + "; charset=utf-8";
    private static final Set<String> ACCEPTED_REQUEST_TYPES = Set.of(CONTENT_TYPE, "application/vnd.schemaregistry+json",
            "application/json", "application/octet-stream");
    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LOOKUP_ONLY = "databus.registry.lookup-only";

    private final SchemaStore store;
    private final Supplier<String> kafkaClusterId;
    private final Authenticator authenticator;

    /** An open registry: every caller may read and write. */
    public RegistryHttpApi(SchemaStore store, Supplier<String> kafkaClusterId) {
        this(store, kafkaClusterId, null);
    }

    /**
     * A registry that authenticates every call (HTTP basic) with {@code authenticator} when it is not null: any known
     * caller may read, only an admin caller may register, delete or change compatibility.
     */
    public RegistryHttpApi(SchemaStore store, Supplier<String> kafkaClusterId, Authenticator authenticator) {
        this.store = store;
        this.kafkaClusterId = kafkaClusterId;
        this.authenticator = authenticator;
    }

    /** Declares every route and error mapping on a Javalin configuration. */
    public void configure(JavalinConfig config) {
        var routes = config.routes;
        routes.before(this::authenticate);
        routes.before(this::checkContentType);

        routes.get("/", ctx -> send(ctx, JSON.createObjectNode()));
        routes.get("/v1/metadata/id", this::metadataId);
        routes.get("/schemas/types", ctx -> send(ctx, JSON.createArrayNode().add(SchemaStore.AVRO)));

        routes.get("/schemas/ids/{id}", ctx -> send(ctx, schemaByIdBody(store.schemaById(schemaId(ctx)))));
        routes.get("/schemas/ids/{id}/schema", ctx -> sendRaw(ctx, store.schemaById(schemaId(ctx)).schema()));
        routes.get("/schemas/ids/{id}/versions", ctx -> {
            ArrayNode out = JSON.createArrayNode();
            for (SchemaView v : store.versionsById(schemaId(ctx), flag(ctx, "deleted"))) {
                out.addObject().put("subject", v.subject()).put("version", v.version());
            }
            send(ctx, out);
        });

        routes.get("/subjects", ctx -> send(ctx, JSON.valueToTree(store.subjects(flag(ctx, "deleted")))));
        routes.post("/subjects/{subject}", this::lookup);
        routes.delete("/subjects/{subject}", ctx ->
                send(ctx, JSON.valueToTree(store.deleteSubject(subject(ctx), flag(ctx, "permanent")))));
        routes.get("/subjects/{subject}/versions", ctx ->
                send(ctx, JSON.valueToTree(store.versions(subject(ctx), flag(ctx, "deleted")))));
        routes.post("/subjects/{subject}/versions", this::register);
        routes.get("/subjects/{subject}/versions/{version}", ctx ->
                send(ctx, versionBody(store.version(subject(ctx), ctx.pathParam("version"), flag(ctx, "deleted")))));
        routes.get("/subjects/{subject}/versions/{version}/schema", ctx ->
                sendRaw(ctx, store.version(subject(ctx), ctx.pathParam("version"), flag(ctx, "deleted")).schema()));
        routes.delete("/subjects/{subject}/versions/{version}", ctx ->
                send(ctx, JSON.getNodeFactory().numberNode(
                        store.deleteVersion(subject(ctx), ctx.pathParam("version"), flag(ctx, "permanent")))));

        routes.post("/compatibility/subjects/{subject}/versions/{version}", ctx -> compatibility(ctx, ctx.pathParam("version")));
        routes.post("/compatibility/subjects/{subject}/versions", ctx -> compatibility(ctx, "latest"));

        routes.get("/config", ctx -> send(ctx, levelBody("compatibilityLevel", store.globalLevel())));
        routes.put("/config", ctx -> send(ctx, levelBody("compatibility", store.setGlobalLevel(levelFrom(body(ctx))))));
        routes.get("/config/{subject}", ctx ->
                send(ctx, levelBody("compatibilityLevel", store.subjectLevel(subject(ctx), flag(ctx, "defaultToGlobal")))));
        routes.put("/config/{subject}", ctx ->
                send(ctx, levelBody("compatibility", store.setSubjectLevel(subject(ctx), levelFrom(body(ctx))))));
        routes.delete("/config/{subject}", ctx ->
                send(ctx, levelBody("compatibilityLevel", store.deleteSubjectLevel(subject(ctx)))));

        routes.exception(RegistryError.class, (e, ctx) -> error(ctx, e.httpStatus(), e.errorCode(), e.getMessage()));
        routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getStatus(), e.getMessage()));
        routes.exception(Exception.class, (e, ctx) -> {
            LOG.error("schema registry request {} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, 500, 50001, "Error in the backend data store: " + e);
        });
    }

    // ---------------------------------------------------------------- handlers

    private void register(Context ctx) {
        JsonNode body = body(ctx);
        String lookupOnly = ctx.attribute(LOOKUP_ONLY);
        if (lookupOnly != null) {
            SchemaView known;
            try {
                known = store.lookup(subject(ctx), schemaText(body), schemaType(body), references(body), false);
            } catch (RegistryError e) {
                if (e.httpStatus() != 404) {
                    throw e;
                }
                throw new RegistryError(403, 40301, "User '" + lookupOnly + "' cannot register a new schema under '" + subject(ctx)
                        + "': departments read schemas; only the bus registers them (governance for src., the router for dlv.,"
                        + " 'databus dept add' for a department's command topic)");
            }
            send(ctx, JSON.createObjectNode().put("id", known.id()));
            return;
        }
        int id = store.register(subject(ctx), schemaText(body), schemaType(body), references(body));
        send(ctx, JSON.createObjectNode().put("id", id));
    }

    private void lookup(Context ctx) {
        JsonNode body = body(ctx);
        SchemaView v = store.lookup(subject(ctx), schemaText(body), schemaType(body), references(body), flag(ctx, "deleted"));
        send(ctx, versionBody(v));
    }

    private void compatibility(Context ctx, String version) {
        JsonNode body = body(ctx);
        List<String> problems = store.testCompatibility(subject(ctx), version, schemaText(body), schemaType(body), references(body));
        ObjectNode out = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
        if (flag(ctx, "verbose")) {
            ArrayNode messages = out.putArray("messages");
            problems.forEach(messages::add);
        }
        send(ctx, out);
    }

    private void metadataId(Context ctx) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode scope = out.putObject("scope");
        scope.putArray("path");
        scope.putObject("clusters").put("kafka-cluster", kafkaClusterId.get()).put("schema-registry-cluster", "schema-registry");
        send(ctx, out);
    }

    private void authenticate(Context ctx) {
        if (authenticator == null) {
            return;
        }
        Optional<Authenticator.Caller> caller = authenticator.fromHeader(ctx.header("Authorization"));
        if (caller.isEmpty()) {
            ctx.header("WWW-Authenticate", "Basic realm=\"databus-registry\"");
            throw new RegistryError(401, 401, "Unauthorized: the schema registry needs HTTP basic credentials of a department,"
                    + " an auditor or the bus (set basic.auth.user.info, or sasl.username and sasl.password in the client config)");
        }
        HandlerType method = ctx.method();
        boolean read = method == HandlerType.GET || method == HandlerType.HEAD || method == HandlerType.OPTIONS
                || (method == HandlerType.POST && !ctx.path().endsWith("/versions"))
                || (method == HandlerType.POST && ctx.path().startsWith("/compatibility/"));
        boolean register = method == HandlerType.POST && ctx.path().startsWith("/subjects/") && ctx.path().endsWith("/versions");
        if (register && !caller.get().admin()) {
            // re-registering a schema the bus already registered changes nothing: answered like a lookup (a serializer
            // with auto.register.schemas=true gets its id); anything new is refused in register()
            ctx.attribute(LOOKUP_ONLY, caller.get().name());
            return;
        }
        if (!read && !caller.get().admin()) {
            throw new RegistryError(403, 40301, "User '" + caller.get().name() + "' cannot " + method + " " + ctx.path()
                    + ": departments read schemas; only the bus registers them (governance for src., the router for dlv.)");
        }
    }

    private void checkContentType(Context ctx) {
        HandlerType method = ctx.method();
        if (method != HandlerType.POST && method != HandlerType.PUT) {
            return;
        }
        String type = ctx.contentType();
        if (type == null || type.isBlank()) {
            return;
        }
        String bare = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!ACCEPTED_REQUEST_TYPES.contains(bare)) {
            throw new RegistryError(415, 415, "Content type " + type + " is not supported; send " + CONTENT_TYPE
                    + ", application/vnd.schemaregistry+json or application/json");
        }
    }

    // ---------------------------------------------------------------- request parts

    private static String subject(Context ctx) {
        return ctx.pathParam("subject");
    }

    private static int schemaId(Context ctx) {
        String text = ctx.pathParam("id");
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw RegistryError.schemaNotFound("Schema " + text + " not found: schema ids are integers");
        }
    }

    private static boolean flag(Context ctx, String name) {
        return Boolean.parseBoolean(ctx.queryParam(name));
    }

    private static JsonNode body(Context ctx) {
        // JSON is UTF-8 (RFC 8259); Confluent's content type names no charset, and the servlet default would be Latin-1
        String text = new String(ctx.bodyAsBytes(), StandardCharsets.UTF_8);
        try {
            JsonNode node = text == null || text.isBlank() ? null : JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new RegistryError(400, 400, "The request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new RegistryError(400, 400, "The request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String schemaText(JsonNode body) {
        JsonNode schema = body.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw RegistryError.invalidSchema("Invalid schema: the body needs a \"schema\" field holding the schema as a JSON string");
        }
        return schema.asText();
    }

    private static String schemaType(JsonNode body) {
        JsonNode type = body.get("schemaType");
        return type == null || type.isNull() ? null : type.asText();
    }

    private static List<Reference> references(JsonNode body) {
        JsonNode refs = body.get("references");
        List<Reference> out = new ArrayList<>();
        if (refs == null || refs.isNull()) {
            return out;
        }
        if (!refs.isArray()) {
            throw RegistryError.invalidSchema("Invalid schema: \"references\" must be an array");
        }
        for (JsonNode r : refs) {
            if (!r.hasNonNull("name") || !r.hasNonNull("subject") || !r.hasNonNull("version")) {
                throw RegistryError.invalidSchema("Invalid schema reference " + r + ": name, subject and version are required");
            }
            out.add(new Reference(r.get("name").asText(), r.get("subject").asText(), r.get("version").asInt()));
        }
        return out;
    }

    private static String levelFrom(JsonNode body) {
        JsonNode level = body.get("compatibility");
        if (level == null) {
            level = body.get("compatibilityLevel");
        }
        if (level == null || !level.isTextual()) {
            throw RegistryError.invalidCompatibilityLevel(level == null ? null : level.toString());
        }
        return level.asText();
    }

    // ---------------------------------------------------------------- response shapes

    private static ObjectNode versionBody(SchemaView v) {
        ObjectNode out = JSON.createObjectNode()
                .put("subject", v.subject())
                .put("version", v.version())
                .put("id", v.id());
        if (!SchemaStore.AVRO.equals(v.schemaType())) {
            out.put("schemaType", v.schemaType());
        }
        addReferences(out, v.references());
        out.put("schema", v.schema());
        return out;
    }

    private static ObjectNode schemaByIdBody(SchemaView v) {
        ObjectNode out = JSON.createObjectNode();
        if (!SchemaStore.AVRO.equals(v.schemaType())) {
            out.put("schemaType", v.schemaType());
        }
        addReferences(out, v.references());
        out.put("schema", v.schema());
        return out;
    }

    private static void addReferences(ObjectNode out, List<Reference> refs) {
        if (!refs.isEmpty()) {
            ArrayNode array = out.putArray("references");
            for (Reference r : refs) {
                array.addObject().put("name", r.name()).put("subject", r.subject()).put("version", r.version());
            }
        }
    }

    private static ObjectNode levelBody(String field, CompatibilityLevel level) {
        return JSON.createObjectNode().put(field, level.name());
    }

    private static void send(Context ctx, JsonNode body) {
        ctx.status(200).contentType(RESPONSE_CONTENT_TYPE).result(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void sendRaw(Context ctx, String body) {
        ctx.status(200).contentType(RESPONSE_CONTENT_TYPE).result(body.getBytes(StandardCharsets.UTF_8));
    }

    private static void error(Context ctx, int status, int code, String message) {
        ObjectNode body = JSON.createObjectNode().put("error_code", code).put("message", message);
        ctx.status(status).contentType(RESPONSE_CONTENT_TYPE).result(body.toString().getBytes(StandardCharsets.UTF_8));
    }
}
