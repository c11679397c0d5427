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
import cn.tianfu.databus.auth.LoginGuard;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.security.RouteRole;

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
    private static final String CALLER = "databus.registry.caller";

    private final SchemaStore store;
    private final Supplier<String> kafkaClusterId;
    private final LoginGuard guard;

    /** An open registry: every caller may read and write. */
    public RegistryHttpApi(SchemaStore store, Supplier<String> kafkaClusterId) {
        this(store, kafkaClusterId, null);
    }

    /**
     * A registry that authenticates every call (HTTP basic) with {@code authenticator} when it is not null, failed logins
     * rate-limited by a {@link LoginGuard}: any known caller may read what {@link SubjectAccess} lets it see, only an
     * admin caller may register, delete or change compatibility.
     */
    public RegistryHttpApi(SchemaStore store, Supplier<String> kafkaClusterId, Authenticator authenticator) {
        this.store = store;
        this.kafkaClusterId = kafkaClusterId;
        this.guard = authenticator == null ? null : new LoginGuard(authenticator);
    }

    /**
     * What a route may be called for by a caller that is not the bus. Every route names its access; a route that names
     * none is the bus's alone, so a new write route is refused to departments until it is deliberately opened.
     */
    enum Access implements RouteRole {
        /** Reads and lookups: any authenticated caller, on the subjects and schemas it may see ({@link SubjectAccess}). */
        READ,
        /** Registering a version: a department gets the id of a schema the bus registered, nothing new. */
        REGISTER
    }

    /** Declares every route and error mapping on a Javalin configuration. */
    public void configure(JavalinConfig config) {
        var routes = config.routes;
        routes.before(this::authenticate);
        // authorization by the endpoint Javalin matched, never by the raw path: "/versions/" is the same route as
        // "/versions" (Javalin ignores a trailing slash)
        routes.beforeMatched(this::authorize);
        routes.before(this::checkContentType);

        routes.get("/", ctx -> send(ctx, JSON.createObjectNode()), Access.READ);
        routes.get("/v1/metadata/id", this::metadataId, Access.READ);
        routes.get("/schemas/types", ctx -> send(ctx, JSON.createArrayNode().add(SchemaStore.AVRO)), Access.READ);

        routes.get("/schemas/ids/{id}", ctx -> send(ctx, schemaByIdBody(visibleSchema(ctx))), Access.READ);
        routes.get("/schemas/ids/{id}/schema", ctx -> sendRaw(ctx, visibleSchema(ctx).schema()), Access.READ);
        routes.get("/schemas/ids/{id}/versions", ctx -> {
            ArrayNode out = JSON.createArrayNode();
            for (SchemaView v : visibleVersionsById(ctx, flag(ctx, "deleted"))) {
                out.addObject().put("subject", v.subject()).put("version", v.version());
            }
            send(ctx, out);
        }, Access.READ);
        routes.get("/schemas/ids/{id}/subjects", ctx -> send(ctx, JSON.valueToTree(
                visibleVersionsById(ctx, flag(ctx, "deleted")).stream().map(SchemaView::subject).distinct().toList())), Access.READ);

        routes.get("/subjects", ctx -> send(ctx, JSON.valueToTree(store.subjects(flag(ctx, "deleted")).stream()
                .filter(s -> SubjectAccess.visible(caller(ctx), s)).toList())), Access.READ);
        routes.post("/subjects/{subject}", this::lookup, Access.READ);
        routes.delete("/subjects/{subject}", ctx ->
                send(ctx, JSON.valueToTree(store.deleteSubject(subject(ctx), flag(ctx, "permanent")))));
        routes.get("/subjects/{subject}/versions", ctx ->
                send(ctx, JSON.valueToTree(store.versions(visibleSubject(ctx), flag(ctx, "deleted")))), Access.READ);
        routes.post("/subjects/{subject}/versions", this::register, Access.REGISTER);
        routes.get("/subjects/{subject}/versions/{version}", ctx ->
                send(ctx, versionBody(store.version(visibleSubject(ctx), ctx.pathParam("version"), flag(ctx, "deleted")))),
                Access.READ);
        routes.get("/subjects/{subject}/versions/{version}/schema", ctx ->
                sendRaw(ctx, store.version(visibleSubject(ctx), ctx.pathParam("version"), flag(ctx, "deleted")).schema()),
                Access.READ);
        routes.delete("/subjects/{subject}/versions/{version}", ctx ->
                send(ctx, JSON.getNodeFactory().numberNode(
                        store.deleteVersion(subject(ctx), ctx.pathParam("version"), flag(ctx, "permanent")))));

        routes.post("/compatibility/subjects/{subject}/versions/{version}", ctx -> compatibility(ctx, ctx.pathParam("version")),
                Access.READ);
        routes.post("/compatibility/subjects/{subject}/versions", ctx -> compatibility(ctx, "latest"), Access.READ);

        routes.get("/config", ctx -> send(ctx, levelBody("compatibilityLevel", store.globalLevel())), Access.READ);
        routes.put("/config", ctx -> send(ctx, levelBody("compatibility", store.setGlobalLevel(levelFrom(body(ctx))))));
        routes.get("/config/{subject}", ctx ->
                send(ctx, levelBody("compatibilityLevel", store.subjectLevel(visibleSubject(ctx), flag(ctx, "defaultToGlobal")))),
                Access.READ);
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
                if (!SubjectAccess.visible(caller(ctx), subject(ctx))) {
                    throw RegistryError.subjectNotFound(subject(ctx));
                }
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
        SchemaView v = store.lookup(visibleSubject(ctx), schemaText(body), schemaType(body), references(body), flag(ctx, "deleted"));
        send(ctx, versionBody(v));
    }

    private void compatibility(Context ctx, String version) {
        JsonNode body = body(ctx);
        List<String> problems = store.testCompatibility(visibleSubject(ctx), version, schemaText(body), schemaType(body), references(body));
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
        if (guard == null) {
            return;
        }
        LoginGuard.Outcome outcome = guard.check(ctx.header("Authorization"), ctx.req().getRemoteAddr());
        if (outcome instanceof LoginGuard.Accepted accepted) {
            ctx.attribute(CALLER, accepted.caller());
        } else if (outcome instanceof LoginGuard.Throttled throttled) {
            ctx.header("Retry-After", throttled.retryAfterSeconds());
            throw new RegistryError(429, 42901, "Too many failed logins from " + ctx.req().getRemoteAddr()
                    + ": try again in " + throttled.retryAfterSeconds() + " s");
        } else {
            ctx.header("WWW-Authenticate", "Basic realm=\"databus-registry\"");
            throw new RegistryError(401, 401, "Unauthorized: the schema registry needs HTTP basic credentials of a department,"
                    + " an auditor or the bus (set basic.auth.user.info, or sasl.username and sasl.password in the client config)");
        }
    }

    /** Decides by the matched route's {@link Access}; a route without one is the bus's alone. */
    private void authorize(Context ctx) {
        Authenticator.Caller caller = caller(ctx);
        if (caller == null || caller.admin()) {
            return;
        }
        Set<RouteRole> access = ctx.routeRoles();
        if (access.contains(Access.READ)) {
            return;
        }
        if (access.contains(Access.REGISTER)) {
            // re-registering a schema the bus already registered changes nothing: answered like a lookup (a serializer
            // with auto.register.schemas=true gets its id); anything new is refused in register()
            ctx.attribute(LOOKUP_ONLY, caller.name());
            return;
        }
        throw new RegistryError(403, 40301, "User '" + caller.name() + "' cannot " + ctx.method() + " " + ctx.path()
                + ": departments read schemas; only the bus registers them (governance for src., the router for dlv.)");
    }

    /** The authenticated caller; null on an open registry. */
    private static Authenticator.Caller caller(Context ctx) {
        return ctx.attribute(CALLER);
    }

    /** The path's subject if the caller may see it; else 40401, as if it did not exist. */
    private static String visibleSubject(Context ctx) {
        String subject = subject(ctx);
        if (!SubjectAccess.visible(caller(ctx), subject)) {
            throw RegistryError.subjectNotFound(subject);
        }
        return subject;
    }

    /**
     * The schema of the path's id if it is (or was: soft-deleted versions count, old records still carry their id) under
     * a subject the caller may see; else 40403. A deserializer resolving a writer schema of a topic it reads gets it.
     */
    private SchemaView visibleSchema(Context ctx) {
        int id = schemaId(ctx);
        if (visibleVersionsById(ctx, true).isEmpty()) {
            throw RegistryError.schemaNotFound("Schema " + id + " not found");
        }
        return store.schemaById(id);
    }

    /** The subject-versions carrying the path's id that the caller may see; 40403 if none. */
    private List<SchemaView> visibleVersionsById(Context ctx, boolean deleted) {
        int id = schemaId(ctx);
        List<SchemaView> out = store.versionsById(id, deleted).stream()
                .filter(v -> SubjectAccess.visible(caller(ctx), v.subject())).toList();
        if (out.isEmpty()) {
            throw RegistryError.schemaNotFound("Schema " + id + " not found");
        }
        return out;
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
