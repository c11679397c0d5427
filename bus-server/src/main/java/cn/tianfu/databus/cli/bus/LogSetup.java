package cn.tianfu.databus.cli.bus;

import java.nio.file.Path;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilder;
import org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory;
import org.apache.logging.log4j.core.config.builder.impl.BuiltConfiguration;

/**
 * Logging of a running bus: everything at INFO to {@code <data-dir>/logs/databus.log} (rolled at 20 MB, 5 kept), and only
 * warnings of the bus's own components to the console, so the terminal shows the bus's output, not Kafka's.
 */
final class LogSetup {

    private LogSetup() {
    }

    static void toDataDir(Path dataDir) {
        if (!java.nio.file.Files.exists(dataDir)) {
            // owner only from the start (the bus checks an existing one when it starts); log4j would create it 755
            cn.tianfu.databus.security.SecretFiles.privateDirectory(dataDir);
        }
        String file = dataDir.resolve("logs").resolve("databus.log").toString();
        ConfigurationBuilder<BuiltConfiguration> b = ConfigurationBuilderFactory.newConfigurationBuilder();
        b.setStatusLevel(Level.ERROR);
        b.setConfigurationName("databus");
        b.add(b.newAppender("console", "Console").addAttribute("target", "SYSTEM_ERR")
                .add(b.newLayout("PatternLayout").addAttribute("pattern", "%d{HH:mm:ss} %-5level %c{1} - %msg%n"))
                .add(b.newFilter("ThresholdFilter", "ACCEPT", "DENY").addAttribute("level", Level.WARN)));
        b.add(b.newAppender("file", "RollingFile")
                .addAttribute("fileName", file)
                .addAttribute("filePattern", file + ".%i")
                .add(b.newLayout("PatternLayout").addAttribute("pattern", "%d{ISO8601} %-5level [%t] %c - %msg%n"))
                .addComponent(b.newComponent("Policies")
                        .addComponent(b.newComponent("SizeBasedTriggeringPolicy").addAttribute("size", "20MB")))
                .addComponent(b.newComponent("DefaultRolloverStrategy").addAttribute("max", "5")));
        b.add(b.newLogger("cn.tianfu.databus", Level.INFO)
                .add(b.newAppenderRef("console")).add(b.newAppenderRef("file")).addAttribute("additivity", false));
        b.add(b.newLogger("state.change.logger", Level.WARN));
        b.add(b.newRootLogger(Level.INFO).add(b.newAppenderRef("file")));
        Configurator.reconfigure(b.build());
    }
}
