package cn.tianfu.databus.cli.common;

import java.time.InstantSource;

/**
 * A command that reads the time: {@link cn.tianfu.databus.cli.DatabusCli#run(String[], java.io.PrintWriter, java.io.PrintWriter, InstantSource)}
 * hands it the clock (the system clock from {@code main}, a pinned one in tests), so no command reads the time itself.
 */
public interface UsesClock {

    void clock(InstantSource clock);
}
