package cn.tianfu.databus.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.ContainerState;
import org.testcontainers.containers.wait.strategy.Wait;

import cn.tianfu.databus.security.Passwords;

/**
 * {@code docker/compose.yaml} started for real where a Docker engine is reachable: three brokers, the shared
 * certificates, {@code init}, two bus nodes, PostgreSQL and Connect; the first node's {@code /health} answers over
 * HTTPS and the demo script (two departments, one by certificate too, a registration, a request granted at once) runs
 * on it. Without Docker the test is skipped, and says why. {@link DockerDeploymentTest} checks the same file without
 * Docker.
 */
class DockerComposeIT {

    private static final Path COMPOSE = Path.of("..", "docker", "compose.yaml");

    /** Skips the test, saying why, unless a Docker engine is reachable and the distribution is built. */
    static void dockerOrSkip() {
        String reason = null;
        try {
            if (!DockerClientFactory.instance().isDockerAvailable()) {
                reason = "no Docker engine is reachable (DOCKER_HOST, /var/run/docker.sock)";
            }
        } catch (RuntimeException | LinkageError e) {
            reason = "no Docker engine is reachable: " + e.getMessage();
        }
        if (reason == null && !Files.exists(Path.of("target", "databus.jar"))) {
            reason = "the distribution the image copies (bus-server/target/databus.jar) is not built";
        }
        if (reason != null) {
            System.out.println("DockerComposeIT skipped: " + reason + "; docker/compose.yaml was not started"
                    + " (DockerDeploymentTest checks it without Docker)");
        }
        Assumptions.assumeTrue(reason == null, reason);
    }

    @Test
    void theComposeClusterServesAndRunsTheDemo() throws Exception {
        dockerOrSkip();
        ComposeContainer cluster = new ComposeContainer(new File(COMPOSE.toAbsolutePath().normalize().toString()))
                .withEnv("KAFKA_ADMIN_PASSWORD", Passwords.generate())
                .withEnv("KAFKA_CONTROLLER_PASSWORD", Passwords.generate())
                .withBuild(true)
                .withRemoveVolumes(true)
                .withExposedService("databus-1", 8080, Wait.forHttps("/health").allowInsecure().forStatusCode(200)
                        .withStartupTimeout(Duration.ofMinutes(10)));
        cluster.start();
        try {
            ContainerState node = cluster.getContainerByServiceName("databus-1-1")
                    .or(() -> cluster.getContainerByServiceName("databus-1")).orElseThrow();
            var demo = node.execInContainer("/bin/bash", "/etc/databus/demo.sh");
            assertThat(demo.getExitCode()).as(demo.getStdout() + demo.getStderr()).isZero();
            assertThat(demo.getStdout()).contains("hrss holds a grant on 10101-000001");
        } finally {
            cluster.stop();
        }
    }
}
