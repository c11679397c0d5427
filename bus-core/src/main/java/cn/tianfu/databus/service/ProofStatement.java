package cn.tianfu.databus.service;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a signed proof states (the JWS payload, {@code docs/service.md}): who answered ({@code iss}) when ({@code iat},
 * epoch seconds), under which exchange ({@code jti}, the exchange-log entry's id), which resource of which provider to
 * which consumer under which grant and purpose, about which key (as the exchange log's keyed hash), and what was
 * answered: a verification's claims and per-claim results, or a query's digest of the answered record (or of "no
 * record").
 *
 * @param issuer       the bus that answered ({@value Proofs#ISSUER} unless configured)
 * @param issuedAt     epoch seconds
 * @param exchangeId   the exchange-log entry of the answer
 * @param kind         {@code verify} or {@code query}
 * @param resource     the resource's code
 * @param provider     its provider
 * @param consumer     the department that asked
 * @param grant        the grant answered under
 * @param purpose      the grant's purpose
 * @param keyHash      keyed hash of the asked key (the log's {@code keyHash})
 * @param claims       a verification's claims (field → claimed value); null for a query
 * @param results      a verification's results (field → true/false); null for a query
 * @param recordDigest a query's digest of the answer (the log's {@code valueDigest}); null for a verification
 * @param found        a query: whether a record was answered; null for a verification
 */
public record ProofStatement(String issuer, long issuedAt, String exchangeId, String kind, String resource,
                             String provider, String consumer, String grant, String purpose, String keyHash,
                             Map<String, Object> claims, Map<String, Boolean> results, String recordDigest,
                             Boolean found) {

    public static final String VERIFY = "verify";
    public static final String QUERY = "query";

    public ProofStatement {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(exchangeId, "exchangeId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(keyHash, "keyHash");
    }

    /** The statement of a verification. */
    public static ProofStatement ofVerification(String issuer, long issuedAt, String exchangeId, Terms terms,
                                                String keyHash, Map<String, ?> claims, Map<String, Boolean> results) {
        return new ProofStatement(issuer, issuedAt, exchangeId, VERIFY, terms.resource(), terms.provider(),
                terms.consumer(), terms.grant(), terms.purpose(), keyHash, new LinkedHashMap<>(claims),
                new LinkedHashMap<>(results), null, null);
    }

    /** The statement of a query answer. */
    public static ProofStatement ofQuery(String issuer, long issuedAt, String exchangeId, Terms terms, String keyHash,
                                         String recordDigest, boolean found) {
        return new ProofStatement(issuer, issuedAt, exchangeId, QUERY, terms.resource(), terms.provider(),
                terms.consumer(), terms.grant(), terms.purpose(), keyHash, null, null, recordDigest, found);
    }

    /** The parties and terms of an answer. */
    public record Terms(String resource, String provider, String consumer, String grant, String purpose) {
    }

    /** The JWS payload: a JSON object with the names of {@code docs/service.md} (member order is not significant); nulls left out. */
    public Map<String, Object> toPayload() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("iss", issuer);
        p.put("iat", issuedAt);
        p.put("jti", exchangeId);
        p.put("kind", kind);
        p.put("resource", resource);
        p.put("provider", provider);
        p.put("consumer", consumer);
        p.put("grant", grant);
        p.put("purpose", purpose);
        p.put("keyHash", keyHash);
        if (claims != null) {
            p.put("claims", claims);
        }
        if (results != null) {
            p.put("results", results);
        }
        if (recordDigest != null) {
            p.put("recordDigest", recordDigest);
        }
        if (found != null) {
            p.put("found", found);
        }
        return p;
    }

    /** The statement a payload states. */
    @SuppressWarnings("unchecked")
    public static ProofStatement fromPayload(Map<String, Object> p) {
        Map<String, Boolean> results = null;
        if (p.get("results") instanceof Map<?, ?> r) {
            results = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : r.entrySet()) {
                results.put(String.valueOf(e.getKey()), Boolean.TRUE.equals(e.getValue()));
            }
        }
        Object iat = p.get("iat");
        return new ProofStatement(text(p, "iss"), iat instanceof Number n ? n.longValue() : 0L, text(p, "jti"),
                text(p, "kind"), text(p, "resource"), text(p, "provider"), text(p, "consumer"), text(p, "grant"),
                text(p, "purpose"), text(p, "keyHash"),
                p.get("claims") instanceof Map<?, ?> c ? new LinkedHashMap<>((Map<String, Object>) c) : null, results,
                (String) p.get("recordDigest"), p.get("found") instanceof Boolean b ? b : null);
    }

    private static String text(Map<String, Object> p, String name) {
        Object v = p.get(name);
        if (v == null) {
            throw new ServiceException(ServiceException.Kind.BAD_REQUEST, "the proof's payload has no '" + name + "'");
        }
        return v.toString();
    }
}
