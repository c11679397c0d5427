package cn.tianfu.databus.audit;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import cn.tianfu.databus.ledger.CanonicalEncoding;
import cn.tianfu.databus.ledger.Checkpoint;
import cn.tianfu.databus.ledger.ExchangeEntry;
import cn.tianfu.databus.ledger.SigningKeys;

/**
 * A proof that one exchange-log entry is in the log: the entry, the {@code prevHash} it was chained on, the canonical
 * encodings of the entry and of every later entry of its log partition up to the next signed checkpoint, and that
 * checkpoint with its Ed25519 signature. Anyone holding the bus's public checkpoint key checks it offline
 * ({@link #verify}): recompute the chain from {@code prevHash} over the encodings, reach the checkpoint's
 * {@code headHash} at its chain position, check the signature. See {@code docs/transparency.md}.
 *
 * <p>JSON (kind {@value #KIND}, version 1): {@code partition}, {@code position} (the entry's chain position),
 * {@code prevHash}, {@code entry} (its fields), {@code segment} (hex canonical encodings, the entry's first),
 * {@code checkpoint} ({@code partition, offset, entryCount, headHash, timeMillis, signature} (base64),
 * {@code publicKeyId}).
 */
public record InclusionProof(int partition, long position, String prevHash, ExchangeEntry entry,
                             List<byte[]> segment, Checkpoint checkpoint, byte[] signature, String publicKeyId) {

    /** The {@code kind} of this proof's JSON. */
    public static final String KIND = "exchange-log-inclusion";
    private static final ObjectMapper JSON = new ObjectMapper();

    public InclusionProof {
        Objects.requireNonNull(prevHash, "prevHash");
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(signature, "signature");
        segment = List.copyOf(segment);
    }

    /**
     * Checks the proof with the bus's public checkpoint key; returns normally when the entry is in the log at the
     * stated position under the signed checkpoint.
     *
     * @throws AuditException naming the first check that fails
     */
    public void verify(PublicKey checkpointKey) {
        if (segment.isEmpty()) {
            throw new AuditException("the proof has no chain segment");
        }
        if (!java.util.Arrays.equals(segment.get(0), CanonicalEncoding.entry(entry))) {
            throw new AuditException("the entry does not match the first encoding of the segment: the entry was altered");
        }
        if (checkpoint.partition() != partition) {
            throw new AuditException("the checkpoint covers partition " + checkpoint.partition() + ", the entry is in "
                    + partition);
        }
        if (position + segment.size() - 1 != checkpoint.offset()) {
            throw new AuditException("the segment ends at chain position " + (position + segment.size() - 1)
                    + " but the checkpoint covers up to " + checkpoint.offset());
        }
        String head = prevHash;
        for (byte[] encoding : segment) {
            head = chain(head, encoding);
        }
        if (entry.hash() != null && !entry.hash().equals(chain(prevHash, segment.get(0)))) {
            throw new AuditException("the entry's hash is not SHA-256(prevHash || its encoding)");
        }
        if (!head.equals(checkpoint.headHash())) {
            throw new AuditException("the chain from the entry does not reach the checkpoint's head hash "
                    + checkpoint.headHash() + " (got " + head + "): the segment was altered");
        }
        if (!SigningKeys.verify(checkpoint, signature, checkpointKey)) {
            throw new AuditException("the checkpoint's signature does not verify with the given public key");
        }
    }

    /** {@code SHA-256(prevHashBytes || canonicalBytes)}, lowercase hex (see bus-core ledger/DESIGN.md). */
    static String chain(String prevHash, byte[] canonical) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(HexFormat.of().parseHex(prevHash));
            d.update(canonical);
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The proof as a JSON object. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("kind", KIND);
        o.put("version", 1);
        o.put("partition", partition);
        o.put("position", position);
        o.put("prevHash", prevHash);
        o.set("entry", entryJson(entry));
        ArrayNode seg = o.putArray("segment");
        segment.forEach(b -> seg.add(HexFormat.of().formatHex(b)));
        ObjectNode cp = o.putObject("checkpoint");
        cp.put("partition", checkpoint.partition());
        cp.put("offset", checkpoint.offset());
        cp.put("entryCount", checkpoint.entryCount());
        cp.put("headHash", checkpoint.headHash());
        cp.put("timeMillis", checkpoint.timeMillis());
        cp.put("signature", Base64.getEncoder().encodeToString(signature));
        cp.put("publicKeyId", publicKeyId);
        return o;
    }

    /** An entry's fields as JSON (nulls kept, so the entry can be read back exactly). */
    public static ObjectNode entryJson(ExchangeEntry e) {
        ObjectNode o = JSON.createObjectNode();
        o.put("exchangeId", e.exchangeId());
        o.put("timeMillis", e.timeMillis());
        o.put("mode", e.mode().name());
        o.put("resourceCode", e.resourceCode());
        o.put("provider", e.provider());
        o.put("consumer", e.consumer());
        o.put("grantId", e.grantId());
        o.put("purpose", e.purpose());
        o.put("keyHash", e.keyHash());
        o.put("operation", e.operation().name());
        o.put("valueDigest", e.valueDigest());
        o.put("sourceTopic", e.sourceTopic());
        o.put("sourcePartition", e.sourcePartition());
        o.put("sourceOffset", e.sourceOffset());
        o.put("deliveryTopic", e.deliveryTopic());
        o.put("deliveryPartition", e.deliveryPartition());
        o.put("deliveryOffset", e.deliveryOffset());
        o.put("prevHash", e.prevHash());
        o.put("hash", e.hash());
        o.put("retractReason", e.retractReason() == null ? null : e.retractReason().name());
        if (e.upstreamExchangeId() != null) {
            o.put("upstreamExchangeId", e.upstreamExchangeId());
        }
        return o;
    }

    /**
     * Reads a proof from its JSON.
     *
     * @throws AuditException when it is not a proof of this kind or a field is missing or malformed
     */
    public static InclusionProof fromJson(String json) {
        try {
            return fromJson(JSON.readTree(json));
        } catch (IOException e) {
            throw new AuditException("not JSON: " + e.getMessage(), e);
        }
    }

    /** Reads a proof from its JSON object. */
    public static InclusionProof fromJson(JsonNode o) {
        try {
            if (!KIND.equals(o.path("kind").asText())) {
                throw new AuditException("not an exchange-log inclusion proof (kind '" + o.path("kind").asText() + "')");
            }
            JsonNode e = o.get("entry");
            ExchangeEntry entry = new ExchangeEntry(text(e, "exchangeId"), e.get("timeMillis").asLong(),
                    ExchangeEntry.Mode.valueOf(text(e, "mode")), text(e, "resourceCode"), text(e, "provider"),
                    text(e, "consumer"), text(e, "grantId"), text(e, "purpose"), text(e, "keyHash"),
                    ExchangeEntry.Operation.valueOf(text(e, "operation")), text(e, "valueDigest"),
                    text(e, "sourceTopic"), integer(e, "sourcePartition"), longValue(e, "sourceOffset"),
                    text(e, "deliveryTopic"), integer(e, "deliveryPartition"), longValue(e, "deliveryOffset"),
                    text(e, "prevHash"), text(e, "hash"), text(e, "retractReason") == null ? null
                            : ExchangeEntry.RetractReason.valueOf(text(e, "retractReason")),
                    text(e, "upstreamExchangeId"));
            List<byte[]> segment = new ArrayList<>();
            for (JsonNode s : o.get("segment")) {
                segment.add(HexFormat.of().parseHex(s.asText()));
            }
            JsonNode c = o.get("checkpoint");
            Checkpoint cp = new Checkpoint(c.get("partition").asInt(), c.get("offset").asLong(),
                    c.get("entryCount").asLong(), text(c, "headHash"), c.get("timeMillis").asLong());
            return new InclusionProof(o.get("partition").asInt(), o.get("position").asLong(), text(o, "prevHash"),
                    entry, segment, cp, Base64.getDecoder().decode(text(c, "signature")), text(c, "publicKeyId"));
        } catch (RuntimeException ex) {
            if (ex instanceof AuditException a) {
                throw a;
            }
            throw new AuditException("malformed inclusion proof: " + ex, ex);
        }
    }

    private static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static Integer integer(JsonNode o, String field) {
        JsonNode n = o.get(field);
        return n == null || n.isNull() ? null : n.asInt();
    }

    private static Long longValue(JsonNode o, String field) {
        JsonNode n = o.get(field);
        return n == null || n.isNull() ? null : n.asLong();
    }
}
