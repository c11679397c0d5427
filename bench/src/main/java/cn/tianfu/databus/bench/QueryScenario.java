package cn.tianfu.databus.bench;

import java.time.Duration;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.ledger.KeyHasher;
import cn.tianfu.databus.ledger.SigningKeys;
import cn.tianfu.databus.registry.HttpSchemaRegistryClient;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.server.service.ExchangeLogStager;
import cn.tianfu.databus.server.service.ServiceExchange;
import cn.tianfu.databus.service.Proofs;
import cn.tianfu.databus.service.RateLimiter;
import cn.tianfu.databus.sharing.app.RouterConfig;
import cn.tianfu.databus.sharing.app.RouterQueries;
import cn.tianfu.databus.sharing.app.SharingRouterApp;
import cn.tianfu.databus.sharing.app.SourceLogReader;

/**
 * The service exchange's answers (docs/service.md), open loop at {@link #RATE} requests/s: a bare interactive-query
 * lookup of the router's latest-state store (the bytes of a key), a query, a query with its signed proof, and a
 * verification of one claim — each answer written to the exchange log synchronously ({@code acks=all}) before it
 * returns, as on the bus. Measured in process, through {@link ServiceExchange} (the HTTP layer is not included).
 * Latency runs from the request's intended start, so a backlog counts (no coordinated omission).
 */
final class QueryScenario {

    /** Requests per second, as the service's target is stated (p99 of a verification at 500/s). */
    static final int RATE = 500;
    private static final int WARMUP_SECONDS = 2;
    private static final int KEYS = 2_000;
    private static final int WORKERS = 8;
    private static final long HIGHEST_MICROS = Duration.ofMinutes(1).toNanos() / 1000;

    private final BenchBus bus;
    private final BenchConfig config;
    private final RecordPool pool;

    QueryScenario(BenchBus bus, BenchConfig config, RecordPool pool) {
        this.bus = bus;
        this.config = config;
        this.pool = pool;
    }

    ScenarioResult run() {
        List<Map<String, Double>> runs = new ArrayList<>();
        for (int rep = 0; rep < config.repeats(); rep++) {
            runs.add(Repetitions.once("query", this::once));
        }
        return ScenarioResult.of("query", RATE + " req/s", "service exchange: bare store lookup, query, query with proof,"
                + " verify; open loop at " + RATE + " requests/s for " + config.latencySeconds() + " s each after "
                + WARMUP_SECONDS + " s warm-up; answers logged synchronously; in process (no HTTP)", runs);
    }

    private Map<String, Double> once() {
        BenchBus.Resource resource = bus.newResource();
        String consumer = "bq" + bus.nextId();
        int keys = Math.min(KEYS, pool.size());
        KafkaStreams router = null;
        RouterQueries queries = null;
        try (SchemaRegistryClient registry = HttpSchemaRegistryClient.builder(bus.registryUrl()).build();
             KafkaProducer<String, byte[]> producer = bus.producer(resource.provider());
             ExchangeLogStager stager = new ExchangeLogStager(bus.department("bus"), Duration.ofSeconds(10))) {
            // a SERVICE grant: answered by queries, never pushed
            Grant grant = Grant.newBuilder(BenchData.grant("g-" + consumer, resource.code(), resource.provider(), consumer))
                    .setMethod(SharingMethod.SERVICE).build();
            producer.send(new ProducerRecord<>(Topics.GRANTS, grant.getGrantId(),
                    new AvroSerializer<>(registry).serialize(Topics.GRANTS, grant))).get(30, TimeUnit.SECONDS);
            try (Publisher publisher = Publisher.create(resource.provider(), resource.code(), producer, registry)) {
                for (int i = 0; i < keys; i++) {
                    publisher.upsert(pool.key(i), pool.record(i));
                }
                publisher.flush();
            }
            // a router instance of its own whose stores the service reads (as the bus's node does with its router)
            Map<String, Object> props = new LinkedHashMap<>();
            props.put(RouterConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers());
            props.put(RouterConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl());
            props.put(RouterConfig.STATE_DIR_CONFIG, bus.dataDir().resolve("query-streams-" + consumer).toString());
            props.put(RouterConfig.DATA_DIR_CONFIG, bus.dataDir().toString());
            props.put(RouterConfig.APPLICATION_ID_CONFIG, "bench-query-" + consumer);
            router = SharingRouterApp.create(RouterConfig.fromMap(props));
            router.start();
            BenchBus.awaitRunning(router, Duration.ofSeconds(config.timeoutSeconds()));
            // keys whose value the router does not keep (yet) are read from the source topic, as on a bus node
            queries = new RouterQueries(router, registry,
                    SourceLogReader.kafka(RouterConfig.fromMap(props).clientProperties()));
            ServiceExchange service = new ServiceExchange(KeyHasher.loadOrCreate(bus.dataDir()),
                    SigningKeys.loadOrCreate(bus.dataDir()), stager, new RateLimiter(InstantSource.system(),
                    ZoneId.of("Asia/Shanghai")), InstantSource.system(),
                    new ServiceExchange.Settings(Proofs.ISSUER, new RateLimiter.Limits(Long.MAX_VALUE / 4, Long.MAX_VALUE / 4)));
            service.attach(queries, new HostInfo("127.0.0.1", 0));
            CatalogEntry entry = awaitReady(router, queries, service, resource.code(), consumer, keys);
            ReadOnlyKeyValueStore<String, byte[]> store = router.store(StoreQueryParameters.fromNameAndType(
                    SharingRouterApp.LATEST_STORE, QueryableStoreTypes.<String, byte[]>keyValueStore()));

            Map<String, Double> m = new LinkedHashMap<>();
            Histogram lookup = openLoop(keys, i -> {
                if (store.get(RouterQueries.storeKey(entry, pool.key(i))) == null) {
                    throw new DatabusException("no state for key " + i);
                }
            });
            Histogram query = openLoop(keys, i -> service.query(consumer, resource.code(), pool.key(i), false));
            Histogram proof = openLoop(keys, i -> service.query(consumer, resource.code(), pool.key(i), true));
            Histogram verify = openLoop(keys, i -> service.verify(consumer, resource.code(), pool.key(i),
                    Map.of("gender", String.valueOf(pool.record(i).get("gender")))));
            put(m, "lookup", lookup, null);
            put(m, "query", query, lookup);
            put(m, "queryProof", proof, lookup);
            put(m, "verify", verify, lookup);
            return m;
        } catch (Exception e) {
            throw new DatabusException("the query scenario failed: " + e.getMessage(), e);
        } finally {
            if (queries != null) {
                queries.close();
            }
            if (router != null) {
                router.close(Duration.ofSeconds(20));
            }
        }
    }

    private interface Request {
        void send(int i) throws Exception;
    }

    /** Warm-up, then {@code latency.seconds} at {@link #RATE}/s; the histogram of the measured part (µs). */
    private Histogram openLoop(int keys, Request request) throws Exception {
        int warmup = RATE * WARMUP_SECONDS;
        int total = warmup + RATE * config.latencySeconds();
        Histogram histogram = new Histogram(HIGHEST_MICROS, 3);
        AtomicLong failures = new AtomicLong();
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
        List<Future<?>> pending = new ArrayList<>(total);
        try {
            long period = 1_000_000_000L / RATE;
            long start = System.nanoTime() + 10_000_000L;
            for (int n = 0; n < total; n++) {
                long at = start + n * period;
                long wait;
                while ((wait = at - System.nanoTime()) > 0) {
                    if (wait > 200_000) {
                        LockSupport.parkNanos(wait - 100_000);
                    } else {
                        Thread.onSpinWait();
                    }
                }
                int seq = n;
                pending.add(workers.submit(() -> {
                    try {
                        request.send(seq % keys);
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                    if (seq >= warmup) {
                        long micros = (System.nanoTime() - at) / 1000;
                        synchronized (histogram) {
                            histogram.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, micros)));
                        }
                    }
                }));
            }
            for (Future<?> f : pending) {
                f.get(config.timeoutSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            ThroughputScenarios.shutdown(workers);
        }
        if (failures.get() > 0) {
            throw new DatabusException(failures.get() + " of " + total + " requests failed");
        }
        return histogram;
    }

    private static void put(Map<String, Double> m, String name, Histogram h, Histogram base) {
        double p50 = h.getValueAtPercentile(50) / 1000.0;
        double p99 = h.getValueAtPercentile(99) / 1000.0;
        m.put(name + "P50Ms", p50);
        m.put(name + "P99Ms", p99);
        m.put(name + "MaxMs", h.getMaxValue() / 1000.0);
        if (base != null) {
            m.put(name + "P50VsLookup", p50 / Math.max(0.001, base.getValueAtPercentile(50) / 1000.0));
            m.put(name + "P99VsLookup", p99 / Math.max(0.001, base.getValueAtPercentile(99) / 1000.0));
        }
    }

    /** Waits until the router holds every key and the grant answers. */
    private CatalogEntry awaitReady(KafkaStreams router, RouterQueries queries, ServiceExchange service, String code,
                                    String consumer, int keys) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(config.timeoutSeconds()).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                CatalogEntry entry = queries.entry(code).orElse(null);
                if (entry != null && queries.latest(entry, pool.key(keys - 1)).isPresent()
                        && queries.latest(entry, pool.key(0)).isPresent()) {
                    service.query(consumer, code, pool.key(0), false);
                    return entry;
                }
            } catch (RuntimeException e) {
                // not ready yet: the store is restoring or the grant has not arrived
            }
            Thread.sleep(200);
        }
        throw new DatabusException("the router did not hold the query scenario's keys within " + config.timeoutSeconds() + " s");
    }
}
