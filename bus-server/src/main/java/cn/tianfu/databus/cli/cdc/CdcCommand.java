package cn.tianfu.databus.cli.cdc;

import picocli.CommandLine.Command;

/** {@code databus cdc}: feed the bus from a department database (change data capture). */
@Command(name = "cdc", mixinStandardHelpOptions = true,
        header = "Feed the bus from a department database: check a table-to-resource mapping, run the capture.",
        subcommands = {CdcRunCommand.class, CdcCheckCommand.class})
public final class CdcCommand {
}
