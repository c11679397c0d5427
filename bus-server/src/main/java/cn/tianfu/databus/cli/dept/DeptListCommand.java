package cn.tianfu.databus.cli.dept;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.acl.AclBinding;

import cn.tianfu.databus.cli.common.BusAdminOptions;
import cn.tianfu.databus.cli.common.JsonOption;
import cn.tianfu.databus.cli.common.ListCommand;
import cn.tianfu.databus.cli.common.Output;
import cn.tianfu.databus.cli.common.Table;
import cn.tianfu.databus.cli.common.Times;
import cn.tianfu.databus.department.AccessPolicy;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.schemas.Department;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code databus dept list}: the departments of the bus and the ACLs the broker holds for each. */
@Command(name = "list", mixinStandardHelpOptions = true, header = "List the departments of the bus and their ACLs.")
public final class DeptListCommand extends ListCommand<Map<String, Object>> {

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
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Departments departments = admin.departments()) {
            for (Department d : departments.list()) {
                Map<String, Object> row = plain(d);
                List<AclBinding> acls = departments.acls(d.getId());
                row.put("acls", acls.stream().map(AccessPolicy::describe).sorted().toList());
                rows.add(row);
            }
        }
        return rows;
    }

    @Override
    protected Table table() {
        return new Table("ID", "NAME", "CODE", "CREATED", "ACLS");
    }

    /** The department's row with its first ACL, then a row for each further ACL. */
    @Override
    protected void addRows(Table table, Map<String, Object> r) {
        @SuppressWarnings("unchecked")
        List<String> acls = (List<String>) r.get("acls");
        table.row(r.get("id"), r.get("name"), r.get("code"), r.get("created"), acls.isEmpty() ? "(none)" : acls.get(0));
        for (String acl : acls.subList(Math.min(1, acls.size()), acls.size())) {
            table.row("", "", "", "", acl);
        }
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
