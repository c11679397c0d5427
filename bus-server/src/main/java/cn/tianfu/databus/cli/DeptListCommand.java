package cn.tianfu.databus.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.kafka.common.acl.AclBinding;

import cn.tianfu.databus.department.AccessPolicy;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.schemas.Department;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code databus dept list}: the departments of the bus and the ACLs the broker holds for each. */
@Command(name = "list", mixinStandardHelpOptions = true, header = "List the departments of the bus and their ACLs.")
public final class DeptListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BusAdminOptions admin;

    @Option(names = "--json", description = "Print JSON (for scripts).")
    boolean json;

    @Override
    public Integer call() {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Departments departments = admin.departments()) {
            for (Department d : departments.list()) {
                Map<String, Object> row = plain(d);
                List<AclBinding> acls = departments.acls(d.getId());
                row.put("acls", acls.stream().map(AccessPolicy::describe).sorted().toList());
                rows.add(row);
            }
        }
        Output output = new Output(spec.commandLine().getOut(), spec.commandLine().getErr(), spec.qualifiedName(), json);
        if (json) {
            output.json(rows);
            return DatabusCli.OK;
        }
        Table table = new Table("ID", "NAME", "CODE", "CREATED", "ACLS");
        for (Map<String, Object> r : rows) {
            @SuppressWarnings("unchecked")
            List<String> acls = (List<String>) r.get("acls");
            table.row(r.get("id"), r.get("name"), r.get("code"), r.get("created"), acls.isEmpty() ? "(none)" : acls.get(0));
            for (String acl : acls.subList(Math.min(1, acls.size()), acls.size())) {
                table.row("", "", "", "", acl);
            }
        }
        table.print(output.out);
        return DatabusCli.OK;
    }

    /** A department without its password verifier, for output. */
    static Map<String, Object> plain(Department d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.getId());
        m.put("name", d.getName());
        m.put("code", d.getCode());
        m.put("created", Times.format(d.getCreated()));
        return m;
    }
}
