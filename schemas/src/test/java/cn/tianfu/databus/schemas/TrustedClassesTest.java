package cn.tianfu.databus.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.util.ClassSecurityValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a bus record must work in a JVM where nothing has installed {@link TrustedClasses} yet: the CLI's first act
 * can be to read an {@link AccessRequest} (with its enums) from the HTTP API. The read runs in a fresh JVM, since in
 * this one other tests have long since touched generated classes.
 */
class TrustedClassesTest {

    @Test
    void theFirstReadOfABusRecordInAFreshJvmFindsTheBusClassesTrusted(@TempDir Path dir) throws Exception {
        AccessRequest request = AccessRequest.newBuilder().setRequestId("10101-000001.R1").setResourceCode("10101-000001")
                .setProvider("psb").setConsumer("hrss").setPurpose("社保待遇资格认证").setMethod(SharingMethod.PUSH)
                .setStatus(RequestStatus.PENDING).setFiledAt(Instant.parse("2026-09-18T02:15:30Z"))
                .setDueAt(Instant.parse("2026-10-09T15:59:59.999Z")).build();
        Path json = dir.resolve("request.json");
        Files.writeString(json, toJson(request));
        Path output = dir.resolve("child.out");

        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FirstRead.class.getName(), json.toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        assertThat(child.waitFor(2, TimeUnit.MINUTES)).as("the child JVM ends").isTrue();

        String out = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as(out).isZero();
        assertThat(out).contains("untrusted before: true", "read 10101-000001.R1 PENDING PUSH");
    }

    private static String toJson(AccessRequest request) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Encoder encoder = EncoderFactory.get().jsonEncoder(AccessRequest.getClassSchema(), out);
        new SpecificDatumWriter<>(AccessRequest.class).write(request, encoder);
        encoder.flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The child JVM: reads the record as its very first use of the bus's classes, as {@code databus requests} does. */
    public static final class FirstRead {
        public static void main(String[] args) throws Exception {
            // nothing trusts the bus's classes yet (the class object is loaded, not initialized)
            Class<?> type = Class.forName(AccessRequest.class.getName(), false, FirstRead.class.getClassLoader());
            System.out.println("untrusted before: " + !ClassSecurityValidator.getGlobal().isTrusted(type));
            String json = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
            SpecificDatumReader<AccessRequest> reader = new SpecificDatumReader<>(AccessRequest.class);
            AccessRequest read = reader.read(null, DecoderFactory.get().jsonDecoder(AccessRequest.getClassSchema(), json));
            System.out.println("read " + String.join(" ", List.of(read.getRequestId(), read.getStatus().name(),
                    read.getMethod().name())));
        }
    }
}
