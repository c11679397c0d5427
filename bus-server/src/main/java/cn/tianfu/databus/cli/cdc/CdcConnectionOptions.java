package cn.tianfu.databus.cli.cdc;

import java.nio.file.Path;
import java.util.List;

import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.config.DatabusConfigException;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.ClientFiles;
import cn.tianfu.databus.contract.Topics;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** How a {@code databus cdc} command reaches the bus: a client properties file, or a local bus's data directory. */
public final class CdcConnectionOptions {

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Choice choice;

    static final class Choice {
        @Option(names = "--config", paramLabel = "FILE", required = true,
                description = "The department's client properties (bootstrap.servers, schema.registry.url, department.id, credentials).")
        Path config;

        @ArgGroup(exclusive = false)
        Local local;
    }

    static final class Local {
        @Option(names = "--data-dir", paramLabel = "DIR", required = true,
                description = "Data directory of a bus running on this machine (its bus.properties names the endpoints).")
        Path dataDir;

        @Option(names = "--as", paramLabel = "DEPT", description = "The department to act as (default: the mapping's).")
        String department;
    }

    /**
     * The bus connection; {@code mappingDepartment} is used when nothing names the department. On a local bus the
     * department's own client config ({@code DIR/clients/DEPT.properties}, written by {@code databus dept add}) is used,
     * with its credentials.
     */
    DatabusClientConfig clientConfig(String mappingDepartment) {
        if (choice != null && choice.config != null) {
            return DatabusClientConfig.load(choice.config);
        }
        Path dataDir = choice == null || choice.local == null ? Path.of("data") : choice.local.dataDir;
        String dept = choice == null || choice.local == null || choice.local.department == null
                ? mappingDepartment : choice.local.department;
        BusEndpoints.read(dataDir); // says how to start a bus when none runs there
        if (!Topics.DEPARTMENT_ID.matcher(dept).matches()) {
            throw new DatabusConfigException("client", List.of(DatabusClientConfig.DEPARTMENT_ID_CONFIG + " '" + dept
                    + "' is invalid: use 2-32 characters, lower-case letters, digits and '-', starting with a letter"));
        }
        return ClientFiles.load(dataDir, dept);
    }
}
