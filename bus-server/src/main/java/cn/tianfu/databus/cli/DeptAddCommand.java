package cn.tianfu.databus.cli;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.schemas.Department;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.topic.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code databus dept add}: adds a department, its command and reply topics, and its client config file. */
@Command(name = "add", mixinStandardHelpOptions = true,
        header = "Add a department: creates cmd.<id> and reply.<id>, records it on bus.departments and writes"
                + " <data-dir>/clients/<id>.properties for --config.")
public final class DeptAddCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "Department id: 2-32 lower-case letters, digits and '-', starting with a letter (e.g. psb).")
    String id;

    @Option(names = "--name", paramLabel = "NAME", required = true, description = "The department's name, e.g. 市公安局.")
    String name;

    @Option(names = "--code", paramLabel = "CREDIT-CODE", description = "Unified social credit code or organisation code.")
    String code;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
            description = "Data directory of the running bus (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--json", description = "Print JSON (for scripts).")
    boolean json;

    @Override
    public Integer call() {
        Topics.checkDepartment(id);
        BusEndpoints endpoints = BusEndpoints.read(dataDir);
        Department department;
        try (Departments departments = Departments.connect(endpoints.bootstrapServers(), endpoints.registryUrl(),
                ClientOptions.CONNECT_TIMEOUT)) {
            department = departments.add(id, name, Optional.ofNullable(code));
        }
        Path file = writeClientConfig(dataDir.resolve("clients").resolve(id + ".properties"), endpoints, id);
        Output output = new Output(spec.commandLine().getOut(), spec.commandLine().getErr(), spec.qualifiedName(), json);
        if (json) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("department", Output.plain(department));
            result.put("commandTopic", Topics.commands(id));
            result.put("replyTopic", Topics.replies(id));
            result.put("clientConfig", file.toString());
            output.json(result);
        } else {
            output.out.printf("Added department %s (%s): topics %s and %s; client config %s%n", id, department.getName(),
                    Topics.commands(id), Topics.replies(id), file);
            output.out.flush();
        }
        return DatabusCli.OK;
    }

    /** Writes the department's client config, readable by its owner only (it will hold credentials). */
    static Path writeClientConfig(Path file, BusEndpoints endpoints, String department) {
        Properties p = new Properties();
        p.setProperty(DatabusClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.bootstrapServers());
        p.setProperty(DatabusClientConfig.SCHEMA_REGISTRY_URL_CONFIG, endpoints.registryUrl());
        p.setProperty(DatabusClientConfig.DEPARTMENT_ID_CONFIG, department);
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(file);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(file);
            } catch (FileAlreadyExistsException raced) {
                // written concurrently; overwritten below
            }
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING)) {
                p.store(w, "Client config of department " + department + "; use with --config");
            }
            return file;
        } catch (IOException e) {
            throw new DatabusException("department " + department + " was added, but its client config " + file
                    + " could not be written: " + e.getMessage(), e);
        }
    }
}
