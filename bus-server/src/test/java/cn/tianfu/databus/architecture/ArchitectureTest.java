package cn.tianfu.databus.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URL;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import cn.tianfu.databus.broker.EmbeddedBroker;
import cn.tianfu.databus.cdc.CdcRunner;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.sdk.Publisher;
import cn.tianfu.databus.schemas.Sensitivity;
import cn.tianfu.databus.server.BusRuntime;
import cn.tianfu.databus.streams.StreamsAppConfig;

/**
 * What the module graph can't say. The poms make the layers (bus-core → bus-client → bus-admin / streams-apps /
 * connectors / bus-embedded → bus-server); these rules keep packages' {@code internal} parts their own and the core free
 * of Kafka client code.
 */
class ArchitectureTest {

    private static final String ROOT = "cn.tianfu.databus";

    private static JavaClasses all;
    private static JavaClasses core;
    private static JavaClasses client;

    @BeforeAll
    static void importClasses() throws IOException, URISyntaxException {
        all = importer().importUrls(List.of(moduleOf(Sensitivity.class), moduleOf(Topics.class), moduleOf(Publisher.class),
                moduleOf(Departments.class), moduleOf(EmbeddedBroker.class), moduleOf(StreamsAppConfig.class),
                moduleOf(CdcRunner.class), moduleOf(BusRuntime.class)));
        core = importer().importUrls(List.of(moduleOf(Topics.class)));
        client = importer().importUrls(List.of(moduleOf(Publisher.class)));
    }

    private static ClassFileImporter importer() {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS);
    }

    /** The root of the module (jar or classes directory) that holds {@code type}. */
    private static URL moduleOf(Class<?> type) throws IOException, URISyntaxException {
        URL location = type.getProtectionDomain().getCodeSource().getLocation();
        return Files.isDirectory(Path.of(location.toURI())) ? location : new URL("jar:" + location + "!/");
    }

    @Test
    void theImportedTreeCoversEveryModuleOfTheBus() {
        assertThat(all.contain(Topics.class)).isTrue();
        assertThat(all.contain(Publisher.class)).isTrue();
        assertThat(all.contain(Departments.class)).isTrue();
        assertThat(all.contain(BusRuntime.class)).isTrue();
        assertThat(all.contain(EmbeddedBroker.class)).isTrue();
        assertThat(all.contain(CdcRunner.class)).isTrue();
        assertThat(all.contain(StreamsAppConfig.class)).isTrue();
        assertThat(core.contain(Topics.class)).isTrue();
        assertThat(core.contain(Publisher.class)).isFalse();
    }

    /** {@code a.b.internal..} is used only from {@code a.b..}: a package's internals are not another package's API. */
    @Test
    void noPackageUsesAnotherPackagesInternals() {
        classes().that().resideInAPackage(ROOT + "..")
                .should(new ArchCondition<JavaClass>("use internal packages only from within their parent package") {
                    @Override
                    public void check(JavaClass origin, ConditionEvents events) {
                        for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                            String target = d.getTargetClass().getPackageName();
                            int at = target.indexOf(".internal");
                            if (!target.startsWith(ROOT) || at < 0) {
                                continue;
                            }
                            String owner = target.substring(0, at);
                            String from = origin.getPackageName();
                            if (!(from.equals(owner) || from.startsWith(owner + "."))) {
                                events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                            }
                        }
                    }
                })
                .check(all);
    }

    /** The core is the contract and the pure rules: no Kafka client, Streams, Connect or HTTP code. */
    @Test
    void theCoreHasNoKafkaClientCode() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "io.javalin..", "java.net.http..")
                .check(core);
    }

    /** What a department embeds reaches the bus through Kafka's clients and HTTP only, never through its server parts. */
    @Test
    void theClientDependsOnNoServerPart() {
        noClasses().should().dependOnClassesThat(new DescribedPredicate<JavaClass>("a streams app, connector, broker or server class") {
            @Override
            public boolean test(JavaClass c) {
                String p = c.getPackageName();
                return p.startsWith("org.apache.kafka.streams") || p.startsWith("org.apache.kafka.connect")
                        || p.startsWith("kafka.") || p.startsWith("io.javalin") || p.startsWith(ROOT + ".server")
                        || p.startsWith(ROOT + ".broker") || p.startsWith(ROOT + ".department");
            }
        }).check(client);
    }
}
