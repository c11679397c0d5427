package cn.tianfu.databus.server.service;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.deadletter.DeadLetters;
import cn.tianfu.databus.ledger.ExchangeEntries;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.ExchangeIds;
import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.DeadLetter;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.service.Claims;
import cn.tianfu.databus.service.ProofStatement;
import cn.tianfu.databus.service.Proofs;
import cn.tianfu.databus.service.RateLimiter;
import cn.tianfu.databus.service.ServiceException;
import cn.tianfu.databus.sharing.GrantWindow;
import cn.tianfu.databus.sharing.app.RouterQueries;

/**
 * The service exchange (Art. 21, 23): a department asks the bus for one record ({@link #query}) or for whether claims
 * about it hold ({@link #verify}) under its SERVICE or BOTH grant in force on the resource. The answer is the record as
 * a push delivery under the grant would carry it (the router's projection, masks and row filter, from its latest-state
 * store); a key that does not exist and one the grant's filter hides are answered alike. Every answer is staged on the
 * exchange log (mode QUERY) before it is given and comes with a signed proof (a query's on request); requests over a
 * grant's limits are refused and dead-lettered. See {@code docs/service.md}.
 */
public final class ServiceExchange {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceExchange.class);

    /** Component name of the service exchange's dead letters (refusals). */
    public static final String COMPONENT = "service-exchange";
    /** What the log's value digest of an answer without a record is computed over. */
    public static final String NO_RECORD = "tianfu-databus/no-record";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Where answers and refusals are written, synchronously. */
    public interface Log {
        /** Stages an answer's entry; throws {@link ServiceException} UNAVAILABLE when it cannot. */
        void stage(ExchangeEntry entry);

        /** Writes a refusal. */
        void refused(DeadLetter letter);
    }

    /**
     * @param issuer        the proofs' {@code iss}
     * @param defaultLimits the limits of a grant that sets none
     */
    public record Settings(String issuer, RateLimiter.Limits defaultLimits) {
    }

    /** An answer: HTTP status, headers and JSON body. */
    public record Reply(int status, Map<String, String> headers, Map<String, Object> body) {
    }

    private final KeyHasher hasher;
    private final SigningKeys keys;
    private final Log log;
    private final RateLimiter limiter;
    private final InstantSource clock;
    private final Settings settings;
    private volatile RouterQueries queries;
    private volatile HostInfo self = HostInfo.unavailable();

    public ServiceExchange(KeyHasher hasher, SigningKeys keys, Log log, RateLimiter limiter, InstantSource clock,
                           Settings settings) {
        this.hasher = hasher;
        this.keys = keys;
        this.log = log;
        this.limiter = limiter;
        this.clock = clock;
        this.settings = settings;
    }

    /**
     * Answers from this router from now on (the router starts after the HTTP API).
     *
     * @param self this node's HTTP address, as the router announces it ({@code application.server})
     */
    public void attach(RouterQueries routerQueries, HostInfo self) {
        this.self = self;
        this.queries = routerQueries;
    }

    /** The bus's public key as a JWK set (JSON). */
    public String jwks() {
        return Proofs.jwkSet(keys.publicKey());
    }

    /** Where a request for the key is answered. */
    public OwnerRouting.Decision route(String resource, String key, boolean forwarded) {
        RouterQueries q = queries();
        CatalogEntry entry = q.entry(resource).orElse(null);
        if (entry == null) {
            return new OwnerRouting.Local();   // refused locally: no grant on an unknown resource
        }
        return OwnerRouting.decide(q.owner(entry, key), self, forwarded);
    }

    /** The record of {@code key} as the caller's grant delivers it. */
    public Reply query(String consumer, String resource, String key, boolean withProof) {
        RouterQueries q = queries();
        Granted granted = grantOf(q, consumer, resource);
        limit(granted, key);
        Optional<GenericRecord> answer = answerOf(q, granted, key);
        long now = clock.millis();
        String exchangeId = newExchangeId();
        Map<String, Object> record = answer.map(ServiceExchange::toJson).orElse(null);
        byte[] answered = record == null ? NO_RECORD.getBytes(StandardCharsets.UTF_8) : bytes(record);
        ExchangeEntry entry = ExchangeEntries.forQuery(hasher, exchangeId, now, granted.terms(),
                key.getBytes(StandardCharsets.UTF_8), answered);
        log.stage(entry);

        Map<String, Object> body = new LinkedHashMap<>();
        int status;
        if (record == null) {
            status = 404;
            body.put("error_code", 404);
            body.put("message", "no current record of " + resource + " with this key under grant "
                    + granted.grant().getGrantId());
        } else {
            status = 200;
            body.put("resource", resource);
            body.put("grant", granted.grant().getGrantId());
            body.put("record", record);
        }
        if (withProof) {
            body.put("proof", Proofs.sign(ProofStatement.ofQuery(settings.issuer(), now / 1000, exchangeId,
                    proofTerms(granted), entry.keyHash(), entry.valueDigest(), record != null), keys));
        }
        return new Reply(status, Map.of("X-Databus-Exchange-Id", exchangeId), body);
    }

    /** Whether each claim about the record of {@code key} holds, as the caller's grant delivers it; with a proof. */
    public Reply verify(String consumer, String resource, String key, Map<String, Object> claims) {
        if (key == null || key.isEmpty()) {
            throw new ServiceException(ServiceException.Kind.BAD_REQUEST, "a verification needs the record's \"key\"");
        }
        RouterQueries q = queries();
        Granted granted = grantOf(q, consumer, resource);
        RouterQueries.Delivered delivered = q.delivered(granted.grant(), granted.entry()).orElseThrow(() ->
                new ServiceException(ServiceException.Kind.FORBIDDEN, "grant " + granted.grant().getGrantId()
                        + " delivers nothing of " + resource + " (its fields do not fit the catalogued schema)"));
        // judged before the record is looked up: the refusal says nothing about whether the key exists
        Claims.checkAllowed(claims, resource, delivered.fields(), delivered.clear());
        limit(granted, key);
        Optional<GenericRecord> answer = answerOf(q, granted, key);
        Map<String, Boolean> results = Claims.evaluate(claims, answer.orElse(null));
        long now = clock.millis();
        String exchangeId = newExchangeId();
        ExchangeEntry entry = ExchangeEntries.forQuery(hasher, exchangeId, now, granted.terms(),
                key.getBytes(StandardCharsets.UTF_8), bytes(results));
        log.stage(entry);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("resource", resource);
        body.put("grant", granted.grant().getGrantId());
        body.put("exchangeId", exchangeId);
        body.put("results", results);
        body.put("proof", Proofs.sign(ProofStatement.ofVerification(settings.issuer(), now / 1000, exchangeId,
                proofTerms(granted), entry.keyHash(), claims, results), keys));
        return new Reply(200, Map.of("X-Databus-Exchange-Id", exchangeId), body);
    }

    private record Granted(Grant grant, CatalogEntry entry) {
        ExchangeEntries.Terms terms() {
            return new ExchangeEntries.Terms(entry.getCode(), entry.getProvider(), grant.getConsumer(),
                    grant.getGrantId(), grant.getPurpose());
        }
    }

    private static ProofStatement.Terms proofTerms(Granted g) {
        return new ProofStatement.Terms(g.entry().getCode(), g.entry().getProvider(), g.grant().getConsumer(),
                g.grant().getGrantId(), g.grant().getPurpose());
    }

    /** The caller's newest SERVICE or BOTH grant in force on the resource. */
    private Granted grantOf(RouterQueries q, String consumer, String resource) {
        CatalogEntry entry = q.entry(resource).orElse(null);
        long now = clock.millis();
        Optional<Grant> grant = entry == null ? Optional.empty() : q.grantsOf(resource).stream()
                .filter(g -> g.getConsumer().equals(consumer))
                .filter(g -> g.getMethod() == SharingMethod.SERVICE || g.getMethod() == SharingMethod.BOTH)
                .filter(g -> inForce(g, now))
                .max(Comparator.comparing(Grant::getCreatedAt).thenComparing(Grant::getGrantId));
        if (grant.isEmpty()) {
            throw new ServiceException(ServiceException.Kind.FORBIDDEN, "'" + consumer + "' holds no SERVICE or BOTH"
                    + " grant in force on " + resource + ": request access with method SERVICE first");
        }
        return new Granted(grant.get(), entry);
    }

    static boolean inForce(Grant g, long now) {
        return GrantWindow.ofMillis(g.getStatus().name(), g.getValidFrom().toEpochMilli(),
                g.getValidUntil() == null ? null : g.getValidUntil().toEpochMilli()).inForceAt(now);
    }

    /** The grant's limits: its own, else the bus's defaults. */
    RateLimiter.Limits limitsOf(Grant g) {
        RateLimiter.Limits d = settings.defaultLimits();
        return new RateLimiter.Limits(g.getRateLimit() != null ? g.getRateLimit() : d.perMinute(),
                g.getDailyLimit() != null ? g.getDailyLimit() : d.perDay());
    }

    private void limit(Granted granted, String key) {
        Grant g = granted.grant();
        RateLimiter.Decision d = limiter.acquire(g.getGrantId(), limitsOf(g));
        if (d.allowed()) {
            return;
        }
        Instant now = clock.instant();
        String message = d.reason() + " (grant " + g.getGrantId() + ", consumer " + g.getConsumer() + ", resource "
                + granted.entry().getCode() + ", key hash " + hasher.hash(key.getBytes(StandardCharsets.UTF_8))
                + "); it resets at " + d.resetAt();
        try {
            log.refused(DeadLetters.builder(COMPONENT, DeadLetterReason.RATE_LIMITED, message).time(now).build());
        } catch (RuntimeException e) {
            LOG.warn("A refusal could not be dead-lettered: {} ({})", message, e.getMessage());
        }
        throw new Limited(d.reason() + "; try again after " + d.resetAt(), d.retryAfterSeconds(now), d.resetAt());
    }

    /** A request over a grant's limits: 429 with {@code Retry-After}. */
    public static final class Limited extends ServiceException {
        private final long retryAfterSeconds;
        private final Instant resetAt;

        Limited(String message, long retryAfterSeconds, Instant resetAt) {
            super(Kind.LIMITED, message);
            this.retryAfterSeconds = retryAfterSeconds;
            this.resetAt = resetAt;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }

        public Instant resetAt() {
            return resetAt;
        }
    }

    private static Optional<GenericRecord> answerOf(RouterQueries q, Granted granted, String key) {
        try {
            return q.latest(granted.entry(), key).flatMap(v -> q.project(granted.grant(), v));
        } catch (InvalidStateStoreException e) {
            throw new ServiceException(ServiceException.Kind.UNAVAILABLE, "the router's state cannot be queried now ("
                    + e.getMessage() + "); retry in a moment", e);
        }
    }

    private RouterQueries queries() {
        RouterQueries q = queries;
        if (q == null) {
            throw new ServiceException(ServiceException.Kind.UNAVAILABLE, "the sharing router is not running yet");
        }
        return q;
    }

    /** The record as a JSON object, fields in the delivery schema's order (Avro's JSON rendering of its values). */
    static Map<String, Object> toJson(GenericRecord record) {
        try {
            return JSON.readValue(GenericData.get().toString(record), new TypeReference<LinkedHashMap<String, Object>>() {
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render a record as JSON: " + e.getMessage(), e);
        }
    }

    /** The compact JSON bytes of an answer, as digested into the log. */
    static byte[] bytes(Object answer) {
        try {
            return JSON.writeValueAsBytes(answer);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String newExchangeId() {
        byte[] id = new byte[ExchangeIds.LENGTH / 2];
        RANDOM.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }
}
