package cn.tianfu.databus.server;

import java.time.InstantSource;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

import cn.tianfu.databus.deadlines.app.DeadlinesApp;
import cn.tianfu.databus.deadlines.app.DeadlinesConfig;
import cn.tianfu.databus.governance.app.GovernanceApp;
import cn.tianfu.databus.governance.app.GovernanceConfig;
import cn.tianfu.databus.sharing.app.RouterConfig;
import cn.tianfu.databus.sharing.app.SharingRouterApp;
import cn.tianfu.databus.streams.OwningKafkaStreams;

/**
 * The bus's streams apps, in the order the runtime starts them, each created from its config keys the same way
 * ({@code XxxApp.create(XxxConfig.fromMap(props))}): {@link BusRuntime} composes them and {@code databus run <app>}
 * runs one as its own process. A new app is one more constant here.
 */
public enum StreamsApps {

    GOVERNANCE("governance", "governance") {
        @Override
        public OwningKafkaStreams create(Map<String, ?> props, InstantSource clock) {
            return GovernanceApp.create(GovernanceConfig.fromMap(props), clock);
        }
    },
    /** Routes every source record and chains each delivery's exchange-log entry in the same transaction. */
    ROUTER("router", "sharing-router") {
        @Override
        public OwningKafkaStreams create(Map<String, ?> props, InstantSource clock) {
            return SharingRouterApp.create(RouterConfig.fromMap(props));
        }
    },
    /** Keeps the time of the departments' duties: reminders and violations (docs/accountability.md). */
    DEADLINES("deadlines", "deadlines") {
        @Override
        public OwningKafkaStreams create(Map<String, ?> props, InstantSource clock) {
            return DeadlinesApp.create(DeadlinesConfig.fromMap(props), clock);
        }
    },
    /** Evaluates every resource's quality (Art. 41) and raises violations under Art. 46(二) (docs/quality.md). */
    QUALITY("quality", "quality") {
        @Override
        public OwningKafkaStreams create(Map<String, ?> props, InstantSource clock) {
            return cn.tianfu.databus.quality.app.QualityApp.create(cn.tianfu.databus.quality.app.QualityConfig.fromMap(props), clock);
        }
    };

    private final String command;
    private final String component;

    StreamsApps(String command, String component) {
        this.command = command;
        this.component = component;
    }

    /** The app's name on the command line ({@code databus run <command>}). */
    public String command() {
        return command;
    }

    /** The app's name in logs and in {@code /health}. */
    public String component() {
        return component;
    }

    /**
     * The app, unstarted, from its config keys ({@link cn.tianfu.databus.streams.StreamsAppConfig} and its own);
     * decisions that read the time read {@code clock}.
     *
     * @throws cn.tianfu.databus.config.DatabusConfigException listing every problem of {@code props}
     */
    public abstract OwningKafkaStreams create(Map<String, ?> props, InstantSource clock);

    /** The app named {@code command} on the command line. */
    public static Optional<StreamsApps> named(String command) {
        return Arrays.stream(values()).filter(a -> a.command.equals(command)).findFirst();
    }
}
