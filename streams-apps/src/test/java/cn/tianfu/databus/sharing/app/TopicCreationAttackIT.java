package cn.tianfu.databus.sharing.app;

import static cn.tianfu.databus.sharing.app.Fixtures.POPULATION;
import static cn.tianfu.databus.sharing.app.Fixtures.entry;
import static cn.tianfu.databus.sharing.app.Fixtures.grant;
import static cn.tianfu.databus.sharing.app.Fixtures.resident;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.ThrottlingQuotaExceededException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.registry.SchemaRegistryClient;
import cn.tianfu.databus.schemas.SharingClass;
import cn.tianfu.databus.sdk.Delivery;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.sdk.Subscriber;
import cn.tianfu.databus.serde.AvroSerializer;
import cn.tianfu.databus.testkit.SharedBus;
import cn.tianfu.databus.contract.Topics;

/**
 * The 64-partition attack, from outside the SDK: a department's plain Admin client tries to create a topic under its
 * {@code src.} prefix with 64 partitions, which once made the router fail ("Existing internal topic ... has invalid
 * partitions"). It is refused; what it may create (under {@code src.<dept>._cdc.}) never reaches the router, and its
 * creations are rate-limited; another department's deliveries keep flowing through it all.
 */
class TopicCreationAttackIT {

    @Test
    void aDepartmentCannotCreateASourceTopicAndWhatItMayCreateDoesNotReachTheRouter() throws Exception {
        SharedBus bus = SharedBus.get();
        String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        String provider = "p" + suffix;
        String consumer = "c" + suffix;
        String attacker = "x" + suffix;
        String code = "10101-" + String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
        Path stateDir = Files.createTempDirectory("attack-state-");
        Path dataDir = Files.createTempDirectory("attack-data-");
        ExecutorService threads = Executors.newCachedThreadPool();
        Map<String, Object> busProducer = new HashMap<>(bus.kafkaProperties());
        busProducer.put(ProducerConfig.ACKS_CONFIG, "all");
        try (SchemaRegistryClient registry = bus.registryClient();
             KafkaProducer<String, byte[]> governance = new KafkaProducer<>(busProducer, new StringSerializer(), new ByteArraySerializer())) {
            // the resource as governance would create it, and an unconditional grant to the consumer
            bus.admin().createTopics(List.of(new NewTopic(Topics.source(provider, code), 2, (short) 1)
                    .configs(Topics.resourceTopicConfigs()))).all().get(30, TimeUnit.SECONDS);
            int schemaId = registry.register(Topics.source(provider, code) + "-value", POPULATION);
            AvroSerializer<Object> avro = new AvroSerializer<>(registry);
            governance.send(new ProducerRecord<>(Topics.CATALOG, code, avro.serialize(Topics.CATALOG,
                    entry(code, provider, SharingClass.UNCONDITIONAL, schemaId)))).get(30, TimeUnit.SECONDS);
            String grantId = "g-" + suffix;
            governance.send(new ProducerRecord<>(Topics.GRANTS, grantId, avro.serialize(Topics.GRANTS,
                    grant(grantId, code, provider, consumer).setClearFields(List.of("idNumber")).build()))).get(30, TimeUnit.SECONDS);

            KafkaStreams router = SharingRouterApp.create(RouterConfig.fromMap(bus.streamsAppConfig(Map.of(
                    RouterConfig.BOOTSTRAP_SERVERS_CONFIG, bus.bootstrapServers(),
                    RouterConfig.SCHEMA_REGISTRY_URL_CONFIG, bus.registryUrl(),
                    RouterConfig.STATE_DIR_CONFIG, stateDir.toString(),
                    RouterConfig.DATA_DIR_CONFIG, dataDir.toString(),
                    RouterConfig.APPLICATION_ID_CONFIG, "attack-it-" + suffix,
                    RouterConfig.BACKFILL_CHECK_INTERVAL_MS_CONFIG, 300,
                    RouterConfig.DELIVERY_PARTITIONS_CONFIG, 2,
                    "streams.commit.interval.ms", 200,
                    // the router would see a new matching topic within a second
                    "streams.main.consumer.metadata.max.age.ms", 1000))));
            DatabusClientConfig providerConfig = bus.addDepartment(provider);
            DatabusClientConfig attackerConfig = bus.addDepartment(attacker);
            List<Delivery> received = new CopyOnWriteArrayList<>();
            try (Publisher publisher = Publisher.create(providerConfig, code);
                 Subscriber subscriber = Subscriber.builder(bus.addDepartment(consumer), "it").resource(code)
                         .consumerProperty(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500).build();
                 Admin attackerAdmin = Admin.create(attackerConfig.kafkaProperties())) {
                router.start();
                threads.submit(() -> subscriber.run(received::add));
                publisher.upsert("510104199001010001", resident("510104199001010001", "张三", null, null, "510104")).get();
                await().atMost(Duration.ofSeconds(90)).until(() -> received.size() >= 1);

                // the attack: a source topic with 64 partitions, with the department's own credentials
                String squat = Topics.source(attacker, "zz-64");
                assertThatThrownBy(() -> attackerAdmin.createTopics(List.of(new NewTopic(squat, 64, (short) 1)))
                        .all().get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
                // nor under another department's prefix, nor a system topic
                assertThatThrownBy(() -> attackerAdmin.createTopics(List.of(new NewTopic(Topics.source(provider, "zz-64"), 64, (short) 1)))
                        .all().get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(TopicAuthorizationException.class);
                assertThatThrownBy(() -> attackerAdmin.createTopics(List.of(new NewTopic("bus.zz-64", 64, (short) 1)))
                        .all().get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(TopicAuthorizationException.class);
                assertThat(bus.admin().listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(squat);

                // what it may create, for its CDC runners, is not a source topic: the router never subscribes to it
                String cdc = Topics.cdcPrefix(attacker) + "zz-64";
                assertThat(Topics.isCdcInternal(cdc)).isTrue();
                assertThat(Topics.SOURCE_PATTERN.matcher(cdc).matches()).isFalse();
                attackerAdmin.createTopics(List.of(new NewTopic(cdc, 64, (short) 1))).all().get(60, TimeUnit.SECONDS);
                // ... and its creations are throttled by its controller mutation quota: 64 partitions exceed it
                assertThatThrownBy(() -> attackerAdmin.createTopics(List.of(new NewTopic(Topics.cdcPrefix(attacker) + "zz-65", 64, (short) 1)),
                        new CreateTopicsOptions().retryOnQuotaViolation(false)).all().get(30, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(ThrottlingQuotaExceededException.class);

                // the other departments' deliveries keep flowing, past several metadata refreshes of the router
                for (int i = 2; i <= 6; i++) {
                    String id = "51010419900101000" + i;
                    publisher.upsert(id, resident(id, "李四", null, null, "510104")).get();
                }
                await().atMost(Duration.ofSeconds(90)).until(() -> received.size() >= 6);
                assertThat(router.state()).isEqualTo(KafkaStreams.State.RUNNING);
                assertThat(received).extracting(Delivery::key).doesNotHaveDuplicates();
            } finally {
                router.close(Duration.ofSeconds(30));
            }
        } finally {
            threads.shutdownNow();
            SharedBus.deleteRecursively(stateDir);
            SharedBus.deleteRecursively(dataDir);
        }
    }
}
