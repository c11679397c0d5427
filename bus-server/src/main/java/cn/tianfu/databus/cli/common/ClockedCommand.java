package cn.tianfu.databus.cli.common;

import java.time.InstantSource;
import java.util.concurrent.Callable;

/** A command that reads the time, from the clock {@link UsesClock} hands it (the system clock until then). */
public abstract class ClockedCommand implements Callable<Integer>, UsesClock {

    private InstantSource clock = InstantSource.system();

    @Override
    public final void clock(InstantSource clock) {
        this.clock = clock;
    }

    /** The clock this command reads. */
    protected final InstantSource clock() {
        return clock;
    }
}
