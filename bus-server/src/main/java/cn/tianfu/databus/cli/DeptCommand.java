package cn.tianfu.databus.cli;

import picocli.CommandLine.Command;

/** {@code databus dept}: the departments of the bus. */
@Command(name = "dept", mixinStandardHelpOptions = true, header = "Add and list the departments of a bus running on this machine.",
        subcommands = {DeptAddCommand.class, DeptListCommand.class})
public final class DeptCommand {
}
