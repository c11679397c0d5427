package cn.tianfu.databus.cli;

import java.time.InstantSource;

/**
 * A command that reads the time: {@link DatabusCli#run(String[], java.io.PrintWriter, java.io.PrintWriter, InstantSource)}
 * hands it the clock (the system clock from {@code main}, a pinned one in tests), so no command reads the time itself.
 */
interface UsesClock {

    void clock(InstantSource clock);
}
