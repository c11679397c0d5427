package cn.tianfu.databus.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.schemas.Department;
import cn.tianfu.databus.server.BusEndpoints;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code databus dept list}: the departments of the bus. */
@Command(name = "list", mixinStandardHelpOptions = true, header = "List the departments of the bus.")
public final class DeptListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
            description = "Data directory of the running bus (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--json", description = "Print JSON (for scripts).")
    boolean json;

    @Override
    public Integer call() {
        BusEndpoints endpoints = BusEndpoints.read(dataDir);
        List<Department> list;
        try (Departments departments = Departments.connect(endpoints.bootstrapServers(), endpoints.registryUrl(),
                ClientOptions.CONNECT_TIMEOUT)) {
            list = departments.list();
        }
        Output output = new Output(spec.commandLine().getOut(), spec.commandLine().getErr(), spec.qualifiedName(), json);
        if (json) {
            output.json(list);
            return DatabusCli.OK;
        }
        Table table = new Table("ID", "NAME", "CODE", "CREATED");
        list.forEach(d -> table.row(d.getId(), d.getName(), d.getCode(), Times.format(d.getCreated())));
        table.print(output.out);
        return DatabusCli.OK;
    }
}
