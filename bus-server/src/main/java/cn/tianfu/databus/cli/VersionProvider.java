package cn.tianfu.databus.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the bus's version from the jar manifest (or "development" when run from classes). */
final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = DatabusCli.class.getPackage().getImplementationVersion();
        return new String[] {"databus " + (version == null ? "development" : version),
                "Kafka " + org.apache.kafka.common.utils.AppInfoParser.getVersion(),
                "Java " + Runtime.version()};
    }
}
