package cn.tianfu.databus.cli.auditor;

import cn.tianfu.databus.contract.Principals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import cn.tianfu.databus.cli.common.BusAdminOptions;
import cn.tianfu.databus.cli.common.HandoverOptions;
import cn.tianfu.databus.cli.common.JsonOption;
import cn.tianfu.databus.cli.common.ListCommand;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.cli.common.Table;
import cn.tianfu.databus.cli.common.Times;
import cn.tianfu.databus.department.AccessPolicy;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.schemas.Auditor;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.ClientFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code databus auditor}: the auditors of the bus, who read the exchange log and nothing else. */
@Command(name = "auditor", mixinStandardHelpOptions = true,
        header = "Add, list and remove auditors: principals auditor-<id> that read the exchange log and its checkpoints only.",
        subcommands = {AuditorCommand.Add.class, AuditorCommand.ListAuditors.class, AuditorCommand.Remove.class})
public final class AuditorCommand {

    /** {@code databus auditor add}. */
    @Command(name = "add", mixinStandardHelpOptions = true,
            header = "Add an auditor: a SCRAM credential auditor-<id> with READ on bus.exchange-log and its checkpoints, and"
                    + " its client config handed over once (--out FILE, mode 600, or standard output) for 'databus audit --config'.")
    public static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "Auditor id: 2-24 lower-case letters, digits and '-' (e.g. city-audit).")
        String id;

        @Option(names = "--name", paramLabel = "NAME", description = "Who audits, e.g. 市审计局.")
        String name;

        @Mixin
        BusAdminOptions admin;

        @Mixin
        HandoverOptions handover;

        @Override
        public Integer call() {
            Principals.checkAuditor(id);
            BusEndpoints endpoints = BusEndpoints.read(admin.dataDir());
            Departments.NewPrincipal<Auditor> added;
            try (Departments departments = admin.departments()) {
                added = departments.addAuditor(id, Optional.ofNullable(name));
            }
            java.io.PrintWriter summary = handover.out().isEmpty() ? spec.commandLine().getErr() : spec.commandLine().getOut();
            Optional<Path> file = handover.handOver(spec.commandLine().getOut(), endpoints, added.principal(), added);
            summary.printf("Added auditor %s (principal %s): reads %s; %s%n", id,
                    Principals.principal(Principals.auditorPrincipal(id)),
                    AccessPolicy.auditor(id).stream().map(AccessPolicy::describe).toList(),
                    file.map(f -> "client config " + f + " (mode 600)").orElse("client config printed above; the bus keeps no copy"));
            summary.flush();
            return ExitCode.OK;
        }
    }

    /** {@code databus auditor list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, header = "List the auditors of the bus.")
    public static final class ListAuditors extends ListCommand<Map<String, Object>> {
        @Mixin
        BusAdminOptions admin;

        @Mixin
        JsonOption json;

        @Override
        protected Output output() {
            return json.output();
        }

        /** The auditors without their password verifiers. */
        @Override
        protected List<Map<String, Object>> items() {
            List<Auditor> auditors;
            try (Departments departments = admin.departments()) {
                auditors = departments.auditors();
            }
            return auditors.stream().map(a -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", a.getId());
                m.put("principal", Principals.auditorPrincipal(a.getId()));
                m.put("name", a.getName());
                m.put("created", Times.format(a.getCreated()));
                return m;
            }).toList();
        }

        @Override
        protected Table table() {
            return new Table("ID", "PRINCIPAL", "NAME", "CREATED");
        }

        @Override
        protected void addRows(Table table, Map<String, Object> a) {
            table.row(a.get("id"), a.get("principal"), a.get("name"), a.get("created"));
        }
    }

    /** {@code databus auditor remove}. */
    @Command(name = "remove", mixinStandardHelpOptions = true, header = "Remove an auditor's ACLs, credential and client config.")
    public static final class Remove implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "The auditor's id.")
        String id;

        @Mixin
        BusAdminOptions admin;

        @Override
        public Integer call() throws Exception {
            try (Departments departments = admin.departments()) {
                departments.removeAuditor(id);
            }
            Files.deleteIfExists(ClientFiles.file(admin.dataDir(), Principals.auditorPrincipal(id)));
            spec.commandLine().getOut().printf("Removed auditor %s%n", id);
            spec.commandLine().getOut().flush();
            return ExitCode.OK;
        }
    }
}
