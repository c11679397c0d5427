package cn.tianfu.databus.cli.common;

import java.nio.file.Path;

import cn.tianfu.databus.calendar.admin.Calendars;
import cn.tianfu.databus.department.Departments;
import cn.tianfu.databus.server.ClientFiles;
import picocli.CommandLine.Option;

/**
 * How an administration command (departments, auditors, calendars) reaches a bus running on this machine: its data directory,
 * whose {@code clients/bus.properties} holds the bus principal's credentials.
 */
public final class BusAdminOptions {

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
            description = "Data directory of the running bus (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    /** The running bus's data directory ({@code --data-dir}). */
    public Path dataDir() {
        return dataDir;
    }

    /** The bus's departments and auditors, administered as the bus principal; close it after use. */
    public Departments departments() {
        return Departments.connect(ClientFiles.bus(dataDir), ClientOptions.CONNECT_TIMEOUT);
    }

    /** The bus's calendars ({@code bus.calendars}), read and loaded as the bus principal; close it after use. */
    public Calendars calendars() {
        return Calendars.connect(ClientFiles.bus(dataDir), ClientOptions.CONNECT_TIMEOUT);
    }
}
