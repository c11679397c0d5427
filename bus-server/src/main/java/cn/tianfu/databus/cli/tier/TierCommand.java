package cn.tianfu.databus.cli.tier;

import picocli.CommandLine.Command;

/** {@code databus tier}: district tiers, a district bus sharing resources upward with the city bus; docs/tiers.md. */
@Command(name = "tier", mixinStandardHelpOptions = true,
        header = "District tiers: link a district bus to the city bus, carrying the resources it shares upward with MirrorMaker 2.",
        subcommands = {TierLinkCommand.class})
public final class TierCommand {
}
