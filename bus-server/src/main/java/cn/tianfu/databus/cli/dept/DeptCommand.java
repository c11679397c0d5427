package cn.tianfu.databus.cli.dept;

import picocli.CommandLine.Command;

/** {@code databus dept}: the departments of the bus. */
@Command(name = "dept", mixinStandardHelpOptions = true,
        header = "Add, list and remove the departments of a bus running on this machine, and change their passwords.",
        subcommands = {DeptAddCommand.class, DeptListCommand.class, DeptRemoveCommand.class, DeptRotatePasswordCommand.class})
public final class DeptCommand {
}
