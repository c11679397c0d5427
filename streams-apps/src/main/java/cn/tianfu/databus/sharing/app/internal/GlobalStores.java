package cn.tianfu.databus.sharing.app.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.opendata.OpenGrants;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.serde.AvroDeserializer;
import cn.tianfu.databus.serde.AvroWireFormatException;

/**
 * The catalog and the grants as every router task sees them: global stores fed from {@code bus.catalog} and
 * {@code bus.grants} (registry wire format, string keys) through processors that also run when the stores are rebuilt.
 * Values are kept in Avro single-object encoding, so reading them needs no registry.
 *
 * <p>Grants are indexed by resource: key {@code <resource>/<grantId>} holds the grant, key {@code #<grantId>} the
 * resource (to remove a grant on a tombstone).
 */
public final class GlobalStores {

    private static final Logger LOG = LoggerFactory.getLogger(GlobalStores.class);
    private static final char GRANT_SEP = '/';
    private static final char GRANT_SEP_NEXT = GRANT_SEP + 1;
    private static final String GRANT_INDEX = "#";

    private GlobalStores() {
    }

    /**
     * Counts the changes applied to the grant store, so that readers can keep each resource's grants decoded between
     * changes instead of scanning the store for every record. Written by the global thread after each change, read by
     * the tasks' threads.
     */
    public static final class GrantsVersion {
        private final AtomicLong changes = new AtomicLong();

        long current() {
            return changes.get();
        }

        void changed() {
            changes.incrementAndGet();
        }
    }

    /** Keeps {@code bus.catalog} in the catalog store. */
    public static final class CatalogUpdater implements Processor<byte[], byte[], Void, Void> {
        private final String storeName;
        private final AvroDeserializer<CatalogEntry> reader;
        private KeyValueStore<String, byte[]> store;

        public CatalogUpdater(String storeName, SchemaRegistryClient registry) {
            this.storeName = storeName;
            this.reader = AvroDeserializer.specific(registry, CatalogEntry.class);
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            if (record.value() == null) {
                if (record.key() != null) {
                    store.delete(new String(record.key(), StandardCharsets.UTF_8));
                }
                return;
            }
            CatalogEntry entry;
            try {
                entry = reader.deserialize("bus.catalog", record.value());
                store.put(entry.getCode(), toBytes(entry.toByteBuffer()));
            } catch (AvroWireFormatException | IOException e) {
                LOG.error("Skipping an unreadable catalog record: {}", e.getMessage());
            }
        }
    }

    /** Keeps {@code bus.grants} in the grant store, indexed by resource. */
    public static final class GrantUpdater implements Processor<byte[], byte[], Void, Void> {
        private final String storeName;
        private final AvroDeserializer<Grant> reader;
        private final GrantsVersion version;
        private KeyValueStore<String, byte[]> store;

        public GrantUpdater(String storeName, SchemaRegistryClient registry, GrantsVersion version) {
            this.storeName = storeName;
            this.reader = AvroDeserializer.specific(registry, Grant.class);
            this.version = version;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            try {
                apply(record);
            } finally {
                version.changed();
            }
        }

        private void apply(Record<byte[], byte[]> record) {
            if (record.value() == null) {
                if (record.key() != null) {
                    String grantId = new String(record.key(), StandardCharsets.UTF_8);
                    byte[] resource = store.get(GRANT_INDEX + grantId);
                    if (resource != null) {
                        store.delete(new String(resource, StandardCharsets.UTF_8) + GRANT_SEP + grantId);
                        store.delete(GRANT_INDEX + grantId);
                    }
                }
                return;
            }
            try {
                Grant grant = reader.deserialize("bus.grants", record.value());
                byte[] previous = store.get(GRANT_INDEX + grant.getGrantId());
                if (previous != null) {
                    store.delete(new String(previous, StandardCharsets.UTF_8) + GRANT_SEP + grant.getGrantId());
                }
                store.put(grant.getResourceCode() + GRANT_SEP + grant.getGrantId(), toBytes(grant.toByteBuffer()));
                store.put(GRANT_INDEX + grant.getGrantId(), grant.getResourceCode().getBytes(StandardCharsets.UTF_8));
            } catch (AvroWireFormatException | IOException e) {
                LOG.error("Skipping an unreadable grant record: {}", e.getMessage());
            }
        }
    }

    /** Reads the stores, decoding each stored value once while it is unchanged. */
    public static final class Reader {
        private final ReadOnlyKeyValueStore<String, byte[]> catalog;
        private final ReadOnlyKeyValueStore<String, byte[]> grants;
        private final Map<String, Decoded<CatalogEntry>> entries = new ConcurrentHashMap<>();
        private final Map<String, Decoded<Grant>> grantCache = new ConcurrentHashMap<>();
        private final GrantsVersion version;
        private final Map<String, ResourceGrants> byResource = new ConcurrentHashMap<>();

        private record Decoded<T>(byte[] bytes, T value) {
        }

        /** A resource's stored grants as of a version of the grant store, and with its open grant for an entry. */
        private record ResourceGrants(long version, List<Grant> grants, CatalogEntry entry, List<Grant> withOpen) {
        }

        public Reader(ReadOnlyKeyValueStore<String, byte[]> catalog, ReadOnlyKeyValueStore<String, byte[]> grants,
                      GrantsVersion version) {
            this.catalog = catalog;
            this.grants = grants;
            this.version = version;
        }

        /** The catalog entry of a resource, or null. */
        public CatalogEntry entry(String resourceCode) {
            byte[] bytes = catalog.get(resourceCode);
            if (bytes == null) {
                entries.remove(resourceCode);
                return null;
            }
            Decoded<CatalogEntry> d = entries.get(resourceCode);
            if (d == null || !Arrays.equals(d.bytes(), bytes)) {
                try {
                    d = new Decoded<>(bytes, CatalogEntry.fromByteBuffer(ByteBuffer.wrap(bytes)));
                } catch (IOException e) {
                    throw new IllegalStateException("catalog store holds an undecodable entry for " + resourceCode, e);
                }
                entries.put(resourceCode, d);
            }
            return d.value();
        }

        /**
         * Every grant of a resource, whatever its status, and its open grant when it is open; an unmodifiable list, scanned from the store again only
         * after the grant store has changed, and the same instance as long as neither the grant store nor the
         * resource's catalog entry has changed.
         */
        public List<Grant> grantsOf(String resourceCode) {
            long seen = version.current();     // read before the scan: a change during it makes the next call rescan
            CatalogEntry entry = entry(resourceCode);
            ResourceGrants cached = byResource.get(resourceCode);
            if (cached != null && cached.version() == seen) {
                if (cached.entry() == entry) {
                    // the same list instance while neither the grants nor the entry changed: callers may key on it
                    return cached.withOpen();
                }
                List<Grant> withOpen = withOpenGrant(cached.grants(), entry);
                byResource.put(resourceCode, new ResourceGrants(seen, cached.grants(), entry, withOpen));
                return withOpen;
            }
            List<Grant> stored = List.copyOf(scanGrantsOf(resourceCode));
            List<Grant> withOpen = withOpenGrant(stored, entry);
            byResource.put(resourceCode, new ResourceGrants(seen, stored, entry, withOpen));
            return withOpen;
        }

        /** The stored grants plus the open grant the catalog entry implies, if the resource is open. */
        private static List<Grant> withOpenGrant(List<Grant> stored, CatalogEntry entry) {
            Optional<Grant> open = entry == null ? Optional.empty() : OpenGrants.of(entry);
            if (open.isEmpty()) {
                return stored;
            }
            List<Grant> out = new ArrayList<>(stored.size() + 1);
            out.addAll(stored);
            out.add(open.get());
            return List.copyOf(out);
        }

        private List<Grant> scanGrantsOf(String resourceCode) {
            List<Grant> out = new ArrayList<>();
            try (KeyValueIterator<String, byte[]> it = grants.range(resourceCode + GRANT_SEP, resourceCode + GRANT_SEP_NEXT)) {
                while (it.hasNext()) {
                    KeyValue<String, byte[]> kv = it.next();
                    out.add(decodeGrant(kv.key, kv.value));
                }
            }
            return out;
        }

        /** One grant by id, whatever its status, or null. */
        public Grant grant(String grantId) {
            byte[] resource = grants.get(GRANT_INDEX + grantId);
            if (resource == null) {
                // an open grant is implied by its resource's catalog entry, not stored
                return OpenGrants.resourceOf(grantId).map(this::entry).flatMap(OpenGrants::of)
                        .filter(g -> g.getGrantId().equals(grantId)).orElse(null);
            }
            String key = new String(resource, StandardCharsets.UTF_8) + GRANT_SEP + grantId;
            byte[] bytes = grants.get(key);
            return bytes == null ? null : decodeGrant(key, bytes);
        }

        /** Every grant, whatever its status, and the open grant of every open resource. */
        public List<Grant> allGrants() {
            List<Grant> out = new ArrayList<>();
            try (KeyValueIterator<String, byte[]> it = grants.all()) {
                while (it.hasNext()) {
                    KeyValue<String, byte[]> kv = it.next();
                    if (!kv.key.startsWith(GRANT_INDEX)) {
                        out.add(decodeGrant(kv.key, kv.value));
                    }
                }
            }
            try (KeyValueIterator<String, byte[]> it = catalog.all()) {
                while (it.hasNext()) {
                    OpenGrants.of(entry(it.next().key)).ifPresent(out::add);
                }
            }
            return out;
        }

        private Grant decodeGrant(String key, byte[] bytes) {
            Decoded<Grant> d = grantCache.get(key);
            if (d == null || !Arrays.equals(d.bytes(), bytes)) {
                try {
                    d = new Decoded<>(bytes, Grant.fromByteBuffer(ByteBuffer.wrap(bytes)));
                } catch (IOException e) {
                    throw new IllegalStateException("grant store holds an undecodable grant under " + key, e);
                }
                grantCache.put(key, d);
            }
            return d.value();
        }
    }

    static byte[] toBytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
