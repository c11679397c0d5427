package cn.tianfu.databus.server.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.auth.Authenticator;
import cn.tianfu.databus.cli.common.Times;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.governance.client.CatalogView;
import cn.tianfu.databus.governance.client.GovernanceClient;
import cn.tianfu.databus.governance.client.GovernanceException;
import cn.tianfu.databus.governance.client.GovernanceTimeoutException;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.security.BusAuthorizationException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;

/**
 * What the API's route classes share: who called (set by {@code HttpApi}'s authentication step), the catalog, the JSON
 * body, and the one way a governance command is sent as the caller and its reply turned into an HTTP answer.
 */
public final class ApiCalls {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long the API waits for the broker and the registry when it connects a department's client. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How long a command waits for governance's reply, as the CLI's default. */
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(30);

    private final String callerAttribute;
    private final DepartmentClients clients;
    private final CatalogView catalog;

    private ApiCalls(String callerAttribute, DepartmentClients clients, CatalogView catalog) {
        this.callerAttribute = callerAttribute;
        this.clients = clients;
        this.catalog = catalog;
    }

    /**
     * The shared part of the department routes of one server: commands go with each caller's own credentials over the
     * connection settings of {@code bus}; the catalog is read with {@code bus}. Closed when the server stops.
     *
     * @param callerAttribute the request attribute holding the authenticated {@link Authenticator.Caller}
     */
    public static ApiCalls open(JavalinConfig config, DatabusClientConfig bus, String callerAttribute) {
        DepartmentClients clients = new DepartmentClients(bus, CONNECT_TIMEOUT, REPLY_TIMEOUT);
        CatalogView catalog = CatalogView.open(bus, CONNECT_TIMEOUT);
        ApiCalls calls = new ApiCalls(callerAttribute, clients, catalog);
        config.events.serverStopped(() -> {
            clients.close();
            catalog.close();
        });
        return calls;
    }

    /** Runs {@code query} on the catalog as it stands now (read on to the end of {@code bus.catalog}). */
    <T> T catalog(Function<CatalogView, T> query) {
        synchronized (catalog) {
            catalog.refresh();
            return query.apply(catalog);
        }
    }

    /** The authenticated caller of this request. */
    Authenticator.Caller caller(Context ctx) {
        Authenticator.Caller caller = ctx.attribute(callerAttribute);
        if (caller == null) {
            throw new HttpResponseException(401, "Unauthorized");
        }
        return caller;
    }

    /**
     * Sends one governance command as the caller, with the caller's own credentials, and answers with governance's
     * reply ({@link #status(CommandResult)}; the body is the {@code CommandResult} in Avro's JSON encoding).
     */
    void command(Context ctx, Function<GovernanceClient, CompletableFuture<CommandResult>> command) {
        Authenticator.Caller caller = caller(ctx);
        if (caller.admin()) {
            throw new HttpResponseException(403, "the bus's own principal sends no department commands: call as the department");
        }
        send(ctx, command);
    }

    /**
     * Sends a command any principal with a command topic may send, as the caller with its own credentials: the
     * authority's (the bus principal, on {@code cmd.bus}), a department's, an expert's. Governance decides who may do
     * what (a department acting on a violation is refused, 403), as it does for the CLI.
     */
    void commandOfAnyCaller(Context ctx, Function<GovernanceClient, CompletableFuture<CommandResult>> command) {
        caller(ctx);
        send(ctx, command);
    }

    /** The authority only (the bus's own principal): 403 for anyone else. */
    Authenticator.Caller authority(Context ctx, String what) {
        Authenticator.Caller caller = caller(ctx);
        if (!caller.admin()) {
            throw new HttpResponseException(403, what + " is for the public data authority (the bus's own credentials);"
                    + " '" + caller.name() + "' may not");
        }
        return caller;
    }

    /** The caller's credentials of this request (the authentication step checked them). */
    static Authenticator.Basic credentials(Context ctx) {
        return Authenticator.Basic.parse(ctx.header("Authorization"))
                .orElseThrow(() -> new HttpResponseException(401, "Unauthorized"));
    }

    /** The client config of the bus's connection settings with the caller's identity and credentials. */
    DatabusClientConfig asCaller(Context ctx) {
        return clients.configFor(credentials(ctx));
    }

    private void send(Context ctx, Function<GovernanceClient, CompletableFuture<CommandResult>> command) {
        Authenticator.Basic credentials = Authenticator.Basic.parse(ctx.header("Authorization"))
                .orElseThrow(() -> new HttpResponseException(401, "Unauthorized"));
        CommandResult result;
        try {
            GovernanceClient governance = clients.of(credentials);
            result = governance.await(command.apply(governance), clients.replyTimeout());
        } catch (GovernanceTimeoutException e) {
            throw new HttpResponseException(504, e.getMessage());
        } catch (BusAuthorizationException e) {
            throw new HttpResponseException(403, e.getMessage());
        } catch (IllegalArgumentException e) {
            // the SDK's own checks of a command before it is sent
            throw new HttpResponseException(400, e.getMessage());
        } catch (GovernanceException e) {
            // not retriable: the caller has no command and reply topics of a department (an auditor, an expert)
            throw new HttpResponseException(e.isRetriable() ? 503 : 403, e.getMessage());
        }
        ctx.status(status(result)).contentType("application/json").result(encode(result).getBytes(StandardCharsets.UTF_8));
    }

    /** One record in Avro's JSON encoding, as the list views encode each element. */
    static <T extends SpecificRecord> String encode(T record) {
        SpecificData data = SpecificData.getForClass(record.getClass());
        DatumWriter<T> writer = new SpecificDatumWriter<>(record.getSchema(), data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Encoder encoder = EncoderFactory.get().jsonEncoder(record.getSchema(), out);
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * The HTTP status of governance's reply: 200 accepted, 202 pending (a conditional request awaits its provider),
     * 403 refused (not the caller's resource, request or grant; not shared), 400 invalid, 404 not found, 409 duplicate.
     */
    static int status(CommandResult result) {
        return switch (result.getOutcome()) {
            case ACCEPTED -> 200;
            case PENDING -> 202;
            case REFUSED -> 403;
            case INVALID -> 400;
            case NOT_FOUND -> 404;
            case DUPLICATE -> 409;
        };
    }

    /** The request body as a JSON object (400 when it is not one); an empty body is an empty object. */
    static JsonNode body(Context ctx) {
        String text = ctx.body();
        if (text == null || text.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new HttpResponseException(400, "the body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new HttpResponseException(400, "the body is not JSON: " + e.getOriginalMessage());
        }
    }

    /** A text member of the body, empty when absent or null; 400 when it is not text. */
    static Optional<String> text(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw new HttpResponseException(400, "'" + name + "' must be a string");
        }
        return Optional.of(v.asText());
    }

    /** A required text member of the body (400 naming it when missing or blank). */
    static String required(JsonNode body, String name, String why) {
        return text(body, name).filter(s -> !s.isBlank())
                .orElseThrow(() -> new HttpResponseException(400, "'" + name + "' is required: " + why));
    }

    /** A list of text members, empty when absent; 400 when it is not an array of strings. */
    static Optional<List<String>> list(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isArray()) {
            throw new HttpResponseException(400, "'" + name + "' must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual()) {
                throw new HttpResponseException(400, "'" + name + "' must be an array of strings");
            }
            out.add(item.asText());
        }
        return Optional.of(out);
    }

    /** A whole-number member, empty when absent; 400 when it is not a positive integer. */
    static Optional<Long> positive(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() <= 0) {
            throw new HttpResponseException(400, "'" + name + "' must be a positive integer");
        }
        return Optional.of(v.asLong());
    }

    /** A date member as the CLI reads it: {@code yyyy-MM-dd} (start or end of that day, Asia/Shanghai) or an ISO date-time with offset. */
    static Optional<Instant> time(JsonNode body, String name, boolean endOfDay) {
        return text(body, name).map(s -> {
            try {
                return endOfDay ? new Times.End().convert(s) : new Times.Start().convert(s);
            } catch (RuntimeException e) {
                throw new HttpResponseException(400, "'" + name + "' must be yyyy-MM-dd or an ISO date-time with offset: " + e.getMessage());
            }
        });
    }

    /** Sends {@code json} with status 200. */
    static void sendJson(Context ctx, String json) {
        ctx.status(200).contentType("application/json").result(json.getBytes(StandardCharsets.UTF_8));
    }
}
