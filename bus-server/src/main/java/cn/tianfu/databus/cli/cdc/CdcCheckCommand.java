package cn.tianfu.databus.cli.cdc;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cdc.CdcCheck;
import cn.tianfu.databus.cdc.CdcMapping;
import cn.tianfu.databus.cdc.CdcMappingException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code databus cdc check}: everything a capture needs, checked without capturing. */
@Command(name = "check", mixinStandardHelpOptions = true,
        header = "Check a CDC mapping: the database's logging and the user's privileges, and the mapping against the catalog and the tables.")
public final class CdcCheckCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MAPPING", description = "The mapping file (YAML).")
    Path mappingFile;

    @Mixin
    CdcConnectionOptions connection;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CdcMapping mapping;
        try {
            mapping = CdcMapping.parse(mappingFile);
        } catch (CdcMappingException e) {
            e.problems().forEach(p -> out.println("problem: " + p.format(e.source())));
            out.println(e.problems().size() + " problem(s); nothing was checked against the database");
            out.flush();
            return ExitCode.SOFTWARE;
        }
        CdcCheck.Report report = CdcCheck.run(mapping, connection.clientConfig(mapping.department()));
        List<String> problems = report.problems();
        problems.forEach(p -> out.println("problem: " + p));
        if (problems.isEmpty()) {
            out.println("ok: " + mapping.database() + " can feed " + mapping.tables().size() + " resource(s) of "
                    + mapping.department() + " (runner " + mapping.runner() + ")");
        } else {
            out.println(problems.size() + " problem(s)");
        }
        out.flush();
        return problems.isEmpty() ? ExitCode.OK : ExitCode.SOFTWARE;
    }
}
