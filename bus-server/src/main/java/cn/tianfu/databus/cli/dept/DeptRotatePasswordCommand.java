package cn.tianfu.databus.cli.dept;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.BusAdminOptions;
import cn.tianfu.databus.cli.common.HandoverOptions;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.ClientFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code databus dept rotate-password}: a new password for a department. */
@Command(name = "rotate-password", mixinStandardHelpOptions = true,
        header = "Give a department a new password and hand its new client config over once (--out FILE, or standard"
                + " output); the old password stops working for new connections at once and for open ones at their next"
                + " re-authentication.")
public final class DeptRotatePasswordCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The department's id.")
    String id;

    @Mixin
    BusAdminOptions admin;

    @Mixin
    HandoverOptions handover;

    @Override
    public Integer call() {
        BusEndpoints endpoints = BusEndpoints.read(admin.dataDir());
        Departments.NewPrincipal<?> rotated;
        try (Departments departments = admin.departments()) {
            rotated = departments.rotatePassword(id);
        }
        // a department the bus runs itself (the authority, the demo's) keeps its file where the bus reads it
        if (java.nio.file.Files.exists(ClientFiles.file(admin.dataDir(), id))) {
            handover.defaultOut(ClientFiles.file(admin.dataDir(), id));
        }
        java.io.PrintWriter summary = handover.out().isEmpty() ? spec.commandLine().getErr() : spec.commandLine().getOut();
        Optional<Path> file = handover.handOver(spec.commandLine().getOut(), endpoints, id, rotated);
        summary.printf("New password for %s %s%n", id, file.map(f -> "written to " + f + " (mode 600); hand that file to the department")
                .orElse("printed above in its client config; the bus keeps no copy"));
        summary.flush();
        return ExitCode.OK;
    }
}
