package cn.tianfu.databus.cli.common;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;

import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.ClientFiles;
import picocli.CommandLine.Option;

/**
 * Where a new password is handed over: the principal's complete client config is written once to {@code --out FILE}
 * (mode 600), or printed on standard output; the bus itself keeps only a verifier of the password (docs/security.md).
 */
public final class HandoverOptions {

    @Option(names = "--out", paramLabel = "FILE",
            description = "Write the client config (with the new password) to FILE, mode 600, to hand to its owner;"
                    + " without it, the client config is printed on standard output. The bus keeps no copy.")
    Path out;

    /** The file the client config goes to ({@code --out}), if one was given or {@link #defaultOut defaulted}. */
    public Optional<Path> out() {
        return Optional.ofNullable(out);
    }

    /** Hands the client config over to {@code file} when no {@code --out} was given. */
    public void defaultOut(Path file) {
        if (out == null) {
            out = file;
        }
    }

    /**
     * Hands the client config over: writes it to {@code --out} and returns the file, or prints it on {@code stdout} and
     * returns empty.
     */
    public Optional<Path> handOver(PrintWriter stdout, BusEndpoints endpoints, String departmentId, Departments.NewPrincipal<?> principal) {
        if (out != null) {
            return Optional.of(ClientFiles.handover(out, endpoints, departmentId, principal));
        }
        stdout.print(ClientFiles.text(endpoints, departmentId, principal));
        stdout.flush();
        return Optional.empty();
    }
}
