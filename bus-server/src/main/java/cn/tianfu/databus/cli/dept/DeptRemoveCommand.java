package cn.tianfu.databus.cli.dept;

import java.nio.file.Files;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.BusAdminOptions;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.schemas.Department;
import cn.tianfu.databus.server.ClientFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code databus dept remove}: takes a department's access away; its history stays. */
@Command(name = "remove", mixinStandardHelpOptions = true,
        header = "Remove a department: deletes its ACLs, its credential and its client config; its topics, catalog entries,"
                + " grants and exchange-log entries stay as history.")
public final class DeptRemoveCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The department's id.")
    String id;

    @Mixin
    BusAdminOptions admin;

    @Override
    public Integer call() throws Exception {
        Department removed;
        try (Departments departments = admin.departments()) {
            removed = departments.remove(id);
        }
        Files.deleteIfExists(ClientFiles.file(admin.dataDir(), id));
        spec.commandLine().getOut().printf("Removed department %s (%s): its ACLs and credential are gone; its topics and"
                + " history stay%n", id, removed.getName());
        spec.commandLine().getOut().flush();
        return ExitCode.OK;
    }
}
