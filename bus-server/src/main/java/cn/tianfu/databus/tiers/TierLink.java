package cn.tianfu.databus.tiers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.contract.Subjects;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.dr.MirrorReplication;
import cn.tianfu.databus.governance.client.GovernanceClient;
import cn.tianfu.databus.kafka.BoundedClients;
import cn.tianfu.databus.kafka.CompactedTopicReader;
import cn.tianfu.databus.kafka.Replication;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.CatalogEntry;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DataItem;
import cn.tianfu.databus.schemas.Grant;
import cn.tianfu.databus.schemas.GrantStatus;
import cn.tianfu.databus.schemas.MaskKind;
import cn.tianfu.databus.schemas.RegisterResource;
import cn.tianfu.databus.schemas.ResourceSpec;
import cn.tianfu.databus.schemas.ResourceStatus;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.serde.AvroSerdeConfig;

/**
 * The link between a district bus and the city bus (docs/tiers.md), run by {@code databus tier link}. Each round
 * (at start, then every {@code tier.sync.interval.seconds}) it:
 * <ol>
 * <li>finds the district's resources shared upward: those with an ACTIVE grant to the city's department on the
 * district bus, whose delivery schema the district's router has registered ({@code dlv.<city>.<resource>-value});</li>
 * <li>registers each on the city catalog as the district's department (same code, provider = the district, the items
 * and the schema as the city receives them), through the city's governance like any provider's registration;</li>
 * <li>retires on the city catalog, as the district's department, each linked resource its provider has retired on
 * the district bus (the reason names the district and its provider);</li>
 * <li>runs MirrorMaker 2 from the district to the city over the registered resources' delivery topics, to the
 * district's source topics on the city ({@link TierReplicationPolicy}), schema ids rewritten ({@link SchemaIdRewrite});
 * restarted when the set of resources changes;</li>
 * <li>copies the city's grants on the district's resources back to {@value Topics#TIER_GRANTS} on the district.</li>
 * </ol>
 * Both client files are the bus principal's ({@code <data-dir>/clients/bus.properties}) of each bus.
 */
public final class TierLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TierLink.class);
    private static final String TRANSFORM = "schemaIds";

    private final DatabusClientConfig district;
    private final DatabusClientConfig city;
    private final String name;
    private final TierConfig config;
    private final Duration timeout;
    private final CompactedTopicReader<CatalogEntry> districtCatalog;
    private final CompactedTopicReader<Grant> districtGrants;
    private final CompactedTopicReader<CatalogEntry> cityCatalog;
    private final CompactedTopicReader<Grant> cityGrants;
    private final SchemaRegistryClient districtRegistry;
    private final KafkaProducer<String, Grant> grantsCopy;
    private final ScheduledExecutorService rounds;
    private final Map<String, Grant> copied = new HashMap<>();
    private volatile MirrorReplication mm2;
    private volatile Set<String> mirrored = Set.of();
    private volatile Round last;

    /** What one round found and did. */
    public record Round(Set<String> linked, Map<String, String> pending, int grantsCopied, Set<String> retired) {

        /** Human-readable, one line. */
        public String describe() {
            StringBuilder b = new StringBuilder("linked " + (linked.isEmpty() ? "none" : String.join(", ", linked)));
            pending.forEach((code, why) -> b.append("; ").append(code).append(" not linked: ").append(why));
            if (!retired.isEmpty()) {
                b.append("; retired on the city catalog as on the district: ").append(String.join(", ", retired));
            }
            b.append("; ").append(grantsCopied).append(" city grants copied to the district in this round");
            return b.toString();
        }
    }

    private TierLink(DatabusClientConfig district, DatabusClientConfig city, String name, TierConfig config) {
        this.district = district;
        this.city = city;
        this.name = Topics.checkDepartment(name);
        this.config = config;
        this.timeout = Duration.ofMillis(config.timeoutMs());
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            this.districtCatalog = open(opened, reader(district, Topics.CATALOG, CatalogEntry.class, CatalogEntry::getCode));
            this.districtGrants = open(opened, reader(district, Topics.GRANTS, Grant.class, Grant::getGrantId));
            this.cityCatalog = open(opened, reader(city, Topics.CATALOG, CatalogEntry.class, CatalogEntry::getCode));
            this.cityGrants = open(opened, reader(city, Topics.GRANTS, Grant.class, Grant::getGrantId));
            this.districtRegistry = open(opened, AvroSerdeConfig.fromMap(serde(district)).registryClient());
            AvroSerde<Grant> serde = AvroSerde.specific(Grant.class);
            Map<String, Object> serdeConfig = serde(district);
            serdeConfig.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS_CONFIG, true);
            serde.configure(serdeConfig, false);
            Serializer<Grant> values = serde.serializer();
            this.grantsCopy = open(opened, new KafkaProducer<>(BoundedClients.of(district, timeout).producer(),
                    new StringSerializer(), values));
        } catch (RuntimeException e) {
            opened.forEach(TierLink::closeQuietly);
            throw e;
        }
        this.rounds = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "databus-tier-link-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs a first round (so a wrong file or an unreachable bus is reported at once), then a round every
     * {@code tier.sync.interval.seconds} in the background until closed.
     *
     * @param district the district bus principal's client config
     * @param city     the city bus principal's client config
     * @param name     the district's department id on the city bus, e.g. {@code jinjiang}
     */
    public static TierLink start(DatabusClientConfig district, DatabusClientConfig city, String name, TierConfig config) {
        TierLink link = new TierLink(district, city, name, config);
        try {
            link.ensureGrantsTopic();
            link.last = link.round();
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
        link.rounds.scheduleWithFixedDelay(link::roundLogged, config.syncIntervalSeconds(), config.syncIntervalSeconds(),
                TimeUnit.SECONDS);
        return link;
    }

    /** The last round's outcome. */
    public Round lastRound() {
        return last;
    }

    /** MirrorMaker's connector states, or that it is not running (nothing linked yet). */
    public List<String> states() {
        MirrorReplication m = mm2;
        return m == null ? List.of("MirrorMaker 2 not running: no resource linked yet") : m.states();
    }

    private void roundLogged() {
        try {
            last = round();
        } catch (RuntimeException e) {
            LOG.warn("tier link {}: round failed, tried again in {} s: {}", name, config.syncIntervalSeconds(), e.getMessage());
        }
    }

    /** One round; public for tests and the CLI's first report. */
    synchronized Round round() {
        Map<String, CatalogEntry> districtEntries = districtCatalog.refresh();
        Map<String, Grant> districtGrantTable = districtGrants.refresh();
        Map<String, CatalogEntry> cityEntries = cityCatalog.refresh();
        Map<String, String> pending = new TreeMap<>();
        Set<String> linked = new TreeSet<>();
        for (String code : sharedUpward(districtEntries, districtGrantTable)) {
            CatalogEntry onCity = cityEntries.get(code);
            if (onCity != null && !onCity.getProvider().equals(name)) {
                pending.put(code, "the city catalog already has " + code + " from department " + onCity.getProvider()
                        + " (codes are unique on a bus: give the district's resource its own code)");
                continue;
            }
            if (onCity != null) {
                if (onCity.getStatus() == ResourceStatus.ACTIVE) {
                    linked.add(code);
                }
                continue;
            }
            String why = register(districtEntries.get(code));
            if (why == null) {
                linked.add(code);
            } else {
                pending.put(code, why);
            }
        }
        Set<String> retired = new TreeSet<>();
        for (CatalogEntry onCity : cityEntries.values()) {
            CatalogEntry onDistrict = districtEntries.get(onCity.getCode());
            if (onCity.getProvider().equals(name) && onCity.getStatus() == ResourceStatus.ACTIVE && onDistrict != null
                    && onDistrict.getStatus() == ResourceStatus.RETIRED) {
                String why = retire(onDistrict);
                if (why == null) {
                    retired.add(onCity.getCode());
                } else {
                    pending.put(onCity.getCode(), why);
                }
            }
        }
        mirror(linked);
        int copiedNow = copyGrants(linked);
        return new Round(Set.copyOf(linked), Map.copyOf(pending), copiedNow, Set.copyOf(retired));
    }

    /**
     * Retires on the city catalog, as the district, a linked resource its provider retired on the district (the city's
     * grants on it end there); null when accepted, else why not.
     */
    private String retire(CatalogEntry onDistrict) {
        String reason = "retired on the district bus " + name + " by " + onDistrict.getProvider()
                + (onDistrict.getRetiredReason() == null ? "" : ": " + onDistrict.getRetiredReason());
        try (GovernanceClient governance = asDistrictOnCity()) {
            CommandResult result = governance.await(governance.retire(onDistrict.getCode(), reason), timeout);
            if (!result.getAccepted()) {
                return "retired on the district, but the city's governance refused to retire it: " + result.getMessage();
            }
            LOG.info("tier link {}: retired {} on the city catalog: {}", name, onDistrict.getCode(), result.getMessage());
            return null;
        }
    }

    /** A governance client on the city bus acting as the district's department there. */
    private GovernanceClient asDistrictOnCity() {
        Map<String, Object> asDistrict = new HashMap<>(city.originals());
        asDistrict.put(DatabusClientConfig.DEPARTMENT_ID_CONFIG, name);
        return GovernanceClient.builder(DatabusClientConfig.fromMap(asDistrict))
                .connectTimeout(timeout).replyTimeout(timeout).build();
    }

    /** Codes of ACTIVE district resources with an ACTIVE grant to the city's department. */
    private Set<String> sharedUpward(Map<String, CatalogEntry> entries, Map<String, Grant> grants) {
        Set<String> codes = new TreeSet<>();
        for (Grant g : grants.values()) {
            CatalogEntry e = entries.get(g.getResourceCode());
            if (g.getConsumer().equals(config.cityDepartment()) && g.getStatus() == GrantStatus.ACTIVE
                    && e != null && e.getStatus() == ResourceStatus.ACTIVE) {
                codes.add(g.getResourceCode());
            }
        }
        return codes;
    }

    /** Registers a district resource on the city catalog as the district; null when accepted, else why not. */
    private String register(CatalogEntry entry) {
        String deliverySubject = Subjects.valueSubject(Topics.delivery(config.cityDepartment(), entry.getCode()));
        Schema delivered;
        try {
            delivered = districtRegistry.latest(deliverySubject).schema();
        } catch (RuntimeException e) {
            return "the district's router has not delivered it to '" + config.cityDepartment() + "' yet (no schema under "
                    + deliverySubject + ")";
        }
        RegisterResource command = RegisterResource.newBuilder()
                .setSpec(citySpec(entry, delivered))
                .setSchemaJson(delivered.toString())
                .build();
        try (GovernanceClient governance = asDistrictOnCity()) {
            CommandResult result = governance.await(governance.register(command), timeout);
            if (!result.getAccepted()) {
                return "the city's governance refused it: " + result.getMessage();
            }
            LOG.info("tier link {}: registered {} on the city catalog: {}", name, entry.getCode(), result.getMessage());
            return null;
        }
    }

    /**
     * The city's catalog metadata of a district resource: the district's entry, its items restricted to the fields the
     * city receives, each item's mask as the district applied it, not opened again (opening is the district
     * provider's decision, Art. 31), the summary naming the district and the providing department (Art. 32).
     */
    static ResourceSpec citySpec(CatalogEntry entry, Schema delivered) {
        List<DataItem> items = new ArrayList<>();
        for (DataItem item : entry.getDataItems()) {
            Schema.Field field = delivered.getField(item.getName());
            if (field == null) {
                continue;
            }
            DataItem copy = DataItem.newBuilder(item).build();
            String mask = field.getProp("mask");
            if (mask != null) {
                copy.setMask(MaskKind.valueOf(mask));
            }
            items.add(copy);
        }
        return ResourceSpec.newBuilder()
                .setCode(entry.getCode())
                .setClassification(entry.getClassification())
                .setName(entry.getName())
                .setCategory(entry.getCategory())
                .setProviderCode(entry.getProviderCode())
                .setSummary(entry.getSummary() + "（区县共享：" + districtOf(entry) + "）")
                .setFormat(entry.getFormat())
                .setDataItems(items)
                .setSharingClass(entry.getSharingClass())
                .setSharingConditions(entry.getSharingConditions())
                .setSharingMethod(entry.getSharingMethod())
                .setOpen(false)
                .setOpenConditions(null)
                .setUpdateFrequency(entry.getUpdateFrequency())
                .setPublishDate(entry.getPublishDate())
                .setRelatedResources(List.of())
                .setUsageRequirements(entry.getUsageRequirements())
                .setReasonNotShared(entry.getReasonNotShared())
                .setOpenFields(null)
                .setConfidentialityStatement(null)
                .build();
    }

    private static String districtOf(CatalogEntry entry) {
        return "provider " + entry.getProvider() + " on the district bus";
    }

    /** (Re)starts MirrorMaker 2 when the set of linked resources changed. */
    private void mirror(Set<String> linked) {
        if (linked.equals(mirrored)) {
            return;
        }
        MirrorReplication previous = mm2;
        if (previous != null) {
            previous.close();
            mm2 = null;
        }
        mirrored = Set.copyOf(linked);
        if (!linked.isEmpty()) {
            mm2 = MirrorReplication.start(mirrorMakerProperties(linked), name, config.cityAlias());
        }
    }

    /** MirrorMaker 2's configuration of the link (package-visible for tests). */
    Map<String, String> mirrorMakerProperties(Set<String> codes) {
        String source = name;
        String target = config.cityAlias();
        if (source.equals(target)) {
            throw new DatabusException("the district's name '" + name + "' must differ from " + TierConfig.CITY_ALIAS_CONFIG);
        }
        String flow = source + "->" + target;
        String interval = Integer.toString(config.syncIntervalSeconds());
        Map<String, String> p = new LinkedHashMap<>();
        p.put("clusters", source + "," + target);
        // MirrorMaker names its own clients: the bus files' client.id is left out
        district.kafkaProperties().forEach((k, v) -> {
            if (!k.equals("client.id")) {
                p.put(source + "." + k, text(v));
            }
        });
        city.kafkaProperties().forEach((k, v) -> {
            if (!k.equals("client.id")) {
                p.put(target + "." + k, text(v));
            }
        });
        p.put(flow + ".enabled", "true");
        p.put(target + "->" + source + ".enabled", "false");
        p.put("replication.policy.class", TierReplicationPolicy.class.getName());
        p.put(TierReplicationPolicy.CITY_DEPARTMENT_CONFIG, config.cityDepartment());
        List<String> topics = new ArrayList<>();
        for (String code : codes) {
            topics.add(Pattern.quote(Topics.delivery(config.cityDepartment(), code)));
        }
        p.put(flow + ".topics", String.join(",", topics));
        p.put(flow + ".groups.exclude", ".*");
        p.put(flow + ".emit.heartbeats.enabled", "false");
        // no consumer group is translated (groups.exclude): the checkpoint connector runs idle
        p.put(flow + ".sync.group.offsets.enabled", "false");
        p.put(flow + ".refresh.topics.interval.seconds", interval);
        // the city's governance created the source topics with the bus's configs and ACLs: neither is copied
        p.put(flow + ".sync.topic.configs.enabled", "false");
        p.put(flow + ".sync.topic.acls.enabled", "false");
        p.put(flow + ".offset-syncs.topic.location", "target");
        p.put(flow + ".consumer.isolation.level", "read_committed");
        p.put(flow + ".source.consumer.isolation.level", "read_committed");
        p.put(flow + ".forwarding.admin.class", TierTargetAdmin.class.getName());
        // SchemaIdRewrite is found by its manifest (META-INF/services), like MirrorMaker's own plugins
        MirrorReplication.discoverPluginsByServiceLoader(p, target);
        p.put(flow + ".transforms", TRANSFORM);
        String t = flow + ".transforms." + TRANSFORM + ".";
        p.put(t + "type", SchemaIdRewrite.class.getName());
        district.serdeConfig().forEach((k, v) -> p.put(t + SchemaIdRewrite.DISTRICT_PREFIX + k, text(v)));
        city.serdeConfig().forEach((k, v) -> p.put(t + SchemaIdRewrite.CITY_PREFIX + k, text(v)));
        p.put("tasks.max", "1");
        p.put("offset.flush.interval.ms", Long.toString(TimeUnit.SECONDS.toMillis(config.syncIntervalSeconds())));
        String rf = Short.toString(replicationFactor(city));
        for (String key : List.of("replication.factor", "offset-syncs.topic.replication.factor",
                "checkpoints.topic.replication.factor", "heartbeats.topic.replication.factor",
                "config.storage.replication.factor", "offset.storage.replication.factor", "status.storage.replication.factor")) {
            p.put(key, rf);
        }
        p.putAll(config.mirrorMakerOverrides());
        return p;
    }

    private static String text(Object v) {
        return v instanceof Password password ? password.value() : String.valueOf(v);
    }

    /** Copies the city's grants on the linked resources, new or changed since last copied, to the district. */
    private int copyGrants(Set<String> linked) {
        int n = 0;
        List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
        for (Grant g : cityGrants.refresh().values()) {
            if (!linked.contains(g.getResourceCode()) || !g.getProvider().equals(name)
                    || Objects.equals(copied.get(g.getGrantId()), g)) {
                continue;
            }
            sends.add(grantsCopy.send(new ProducerRecord<>(Topics.TIER_GRANTS, g.getGrantId(), g)));
            copied.put(g.getGrantId(), g);
            n++;
        }
        try {
            for (java.util.concurrent.Future<?> f : sends) {
                f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabusException("interrupted while copying the city's grants", e);
        } catch (ExecutionException | TimeoutException e) {
            copied.clear();   // sent again next round: the topic is compacted by grant id
            throw new DatabusException("cannot write " + Topics.TIER_GRANTS + " on the district bus: " + e, e);
        }
        return n;
    }

    private void ensureGrantsTopic() {
        try (Admin admin = Admin.create(BoundedClients.of(district, timeout).admin())) {
            short factor = config.replicationFactor() > 0 ? (short) config.replicationFactor()
                    : Replication.of(admin, config.timeoutMs()).factor();
            admin.createTopics(List.of(new NewTopic(Topics.TIER_GRANTS, 1, factor)
                    .configs(Map.of("cleanup.policy", "compact")))).all().get(config.timeoutMs(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new DatabusException("cannot create " + Topics.TIER_GRANTS + " on the district bus: " + e.getCause(), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabusException("interrupted while creating " + Topics.TIER_GRANTS, e);
        } catch (TimeoutException e) {
            throw new DatabusException("the district bus did not answer within " + timeout.toMillis() + " ms", e);
        }
    }

    private short replicationFactor(DatabusClientConfig bus) {
        if (config.replicationFactor() > 0) {
            return (short) config.replicationFactor();
        }
        try (Admin admin = Admin.create(BoundedClients.of(bus, timeout).admin())) {
            return Replication.of(admin, config.timeoutMs()).factor();
        }
    }

    private <V extends org.apache.avro.specific.SpecificRecord> CompactedTopicReader<V> reader(DatabusClientConfig bus,
            String topic, Class<V> type, java.util.function.Function<V, String> keyOf) {
        AvroSerde<V> serde = AvroSerde.specific(type);
        serde.configure(serde(bus), false);
        Map<String, Object> consumer = BoundedClients.of(bus, timeout).reader();
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new CompactedTopicReader<>(topic, consumer, serde.deserializer(),
                keyOf, timeout);
    }

    /** The serde configuration of {@code bus}, its registry calls bounded by the link's timeout. */
    private Map<String, Object> serde(DatabusClientConfig bus) {
        Map<String, Object> p = new HashMap<>(bus.serdeConfig());
        p.putIfAbsent(AvroSerdeConfig.SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_CONFIG, timeout.toMillis());
        p.putIfAbsent(AvroSerdeConfig.SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG, timeout.toMillis());
        return p;
    }

    private static <T extends AutoCloseable> T open(List<AutoCloseable> opened, T resource) {
        opened.add(resource);
        return resource;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("closing {}: {}", c, e.toString());
        }
    }

    /** Stops the rounds and MirrorMaker 2 (which resumes from its committed progress at the next start). */
    @Override
    public void close() {
        rounds.shutdownNow();
        try {
            rounds.awaitTermination(config.timeoutMs(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        MirrorReplication m = mm2;
        if (m != null) {
            m.close();
        }
        for (AutoCloseable c : List.of(grantsCopy, districtRegistry, cityGrants, cityCatalog, districtGrants, districtCatalog)) {
            closeQuietly(c);
        }
    }
}
