package cn.tianfu.databus.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.ClientFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code databus dept rotate-password}: a new password for a department. */
@Command(name = "rotate-password", mixinStandardHelpOptions = true,
        header = "Give a department a new password and rewrite its client config; the old password stops working at once.")
public final class DeptRotatePasswordCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The department's id.")
    String id;

    @Mixin
    BusAdminOptions admin;

    @Override
    public Integer call() {
        BusEndpoints endpoints = BusEndpoints.read(admin.dataDir);
        Path file;
        try (Departments departments = admin.departments()) {
            file = ClientFiles.write(admin.dataDir, endpoints, id, departments.rotatePassword(id));
        }
        spec.commandLine().getOut().printf("New password for %s written to %s (mode 600); hand that file to the department%n",
                id, file);
        spec.commandLine().getOut().flush();
        return DatabusCli.OK;
    }
}
