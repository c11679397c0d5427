package cn.tianfu.databus.transparency;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import cn.tianfu.databus.audit.TransparencyIndex;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.ApiPaths;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.KeyHasher;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;

/**
 * {@code GET /api/v1/transparency/my-exchanges}: a person, authenticated by a bearer token of the city's identity
 * provider ({@link CitizenTokens}), gets every exchange-log entry of records keyed by their own ID number — found by
 * the keyed hash of the ID number in a {@link TransparencyIndex} of the log, never by reading record values — each
 * with an inclusion proof up to a signed checkpoint. See {@code docs/transparency.md}.
 */
public final class TransparencyRoutes implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final CitizenTokens tokens;
    private final KeyHasher hasher;
    private final TransparencyIndex index;
    private final AutoCloseable follower;

    public TransparencyRoutes(CitizenTokens tokens, KeyHasher hasher, TransparencyIndex index, AutoCloseable follower) {
        this.tokens = tokens;
        this.hasher = hasher;
        this.index = index;
        this.follower = follower;
    }

    /**
     * The service on a running bus: the identity provider's keys from {@code jwksFile}, the bus's key-hash secret from
     * {@code dataDir}, and the exchange log followed with the bus's own client config.
     */
    public static TransparencyRoutes start(Path dataDir, Path jwksFile, DatabusClientConfig bus, InstantSource clock) {
        TransparencyIndex index = new TransparencyIndex();
        CitizenTokens tokens = CitizenTokens.fromJwksFile(jwksFile, clock);
        ExchangeLogFollower follower = new ExchangeLogFollower(bus, index).start();
        return new TransparencyRoutes(tokens, KeyHasher.loadOrCreate(dataDir), index, follower);
    }

    /** Registers the route. */
    public void register(JavalinConfig config) {
        config.routes.get(ApiPaths.TRANSPARENCY_MY_EXCHANGES, this::myExchanges);
    }

    private void myExchanges(Context ctx) {
        String auth = ctx.header("Authorization");
        String idNumber;
        try {
            if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new CitizenTokens.Rejected("a bearer token of the city's identity provider is required");
            }
            idNumber = tokens.idNumber(auth.substring(7).trim());
        } catch (CitizenTokens.Rejected e) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"databus-transparency\"");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error_code", 401);
            body.put("message", "Unauthorized: " + e.getMessage());
            ctx.status(401).json(body);
            return;
        }
        List<TransparencyIndex.Found> found = index.exchangesOf(hasher.hash(idNumber.getBytes(StandardCharsets.UTF_8)));
        ObjectNode body = JSON.createObjectNode();
        ArrayNode list = body.putArray("exchanges");
        for (TransparencyIndex.Found f : found) {
            ExchangeEntry e = f.entry();
            ObjectNode o = list.addObject();
            o.put("time", Instant.ofEpochMilli(e.timeMillis()).toString());
            o.put("exchangeId", e.exchangeId());
            o.put("mode", e.mode().name());
            o.put("operation", e.operation().name());
            o.put("retractReason", e.retractReason() == null ? null : e.retractReason().name());
            o.put("provider", e.provider());
            o.put("consumer", e.consumer());
            o.put("resource", e.resourceCode());
            o.put("purpose", e.purpose());
            o.put("grant", e.grantId());
            o.put("proofStatus", f.proof() == null ? "PENDING_CHECKPOINT" : "INCLUDED");
            if (f.proof() != null) {
                o.set("proof", f.proof().toJson());
            }
        }
        ctx.status(200).contentType("application/json").result(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws Exception {
        if (follower != null) {
            follower.close();
        }
    }
}
