package cn.tianfu.databus.cli.expert;

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
import cn.tianfu.databus.contract.Principals;
import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.department.AccessPolicy;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.schemas.Expert;
import cn.tianfu.databus.server.BusEndpoints;
import cn.tianfu.databus.server.ClientFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code databus expert}: the experts of the expert committee (专家咨询委员会), who give opinions on referred disputes. */
@Command(name = "expert", mixinStandardHelpOptions = true,
        header = "Add and list experts of the expert committee: principals expert-<id> that give opinions on the disputes referred to them.",
        subcommands = {ExpertCommand.Add.class, ExpertCommand.ListExperts.class})
public final class ExpertCommand {

    /** {@code databus expert add}. */
    @Command(name = "add", mixinStandardHelpOptions = true,
            header = "Add an expert: a SCRAM credential expert-<id> that writes cmd.expert-<id> and reads reply.expert-<id>;"
                    + " its client config goes to DIR/clients/expert-<id>.properties (or --out FILE).")
    public static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "Expert id: 2-24 lower-case letters, digits and '-' (e.g. law-prof).")
        String id;

        @Option(names = "--name", paramLabel = "NAME", description = "Who the expert is.")
        String name;

        @Mixin
        BusAdminOptions admin;

        @Mixin
        HandoverOptions handover;

        @Override
        public Integer call() {
            Principals.checkExpert(id);
            BusEndpoints endpoints = BusEndpoints.read(admin.dataDir());
            Departments.NewPrincipal<Expert> added;
            try (Departments departments = admin.departments()) {
                added = departments.addExpert(id, Optional.ofNullable(name));
            }
            handover.defaultOut(ClientFiles.file(admin.dataDir(), added.principal()));
            Optional<Path> file = handover.handOver(spec.commandLine().getOut(), endpoints, added.principal(), added);
            spec.commandLine().getOut().printf("Added expert %s (principal %s): sends opinions on %s, reads %s; %s%n", id,
                    Principals.principal(added.principal()), Topics.expertCommands(id), Topics.expertReplies(id),
                    file.map(f -> "client config " + f + " (mode 600)").orElse("client config printed above"));
            spec.commandLine().getOut().printf("ACLs: %s%n",
                    AccessPolicy.expert(id).stream().map(AccessPolicy::describe).toList());
            spec.commandLine().getOut().flush();
            return ExitCode.OK;
        }
    }

    /** {@code databus expert list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, header = "List the experts of the bus.")
    public static final class ListExperts extends ListCommand<Map<String, Object>> {
        @Mixin
        BusAdminOptions admin;

        @Mixin
        JsonOption json;

        @Override
        protected Output output() {
            return json.output();
        }

        @Override
        protected List<Map<String, Object>> items() {
            List<Expert> experts;
            try (Departments departments = admin.departments()) {
                experts = departments.experts();
            }
            return experts.stream().map(e -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", e.getId());
                m.put("principal", Principals.expertPrincipal(e.getId()));
                m.put("name", e.getName());
                m.put("created", Times.format(e.getCreated()));
                return m;
            }).toList();
        }

        @Override
        protected Table table() {
            return new Table("ID", "PRINCIPAL", "NAME", "CREATED");
        }

        @Override
        protected void addRows(Table table, Map<String, Object> e) {
            table.row(e.get("id"), e.get("principal"), e.get("name"), e.get("created"));
        }
    }
}
