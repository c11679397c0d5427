package cn.tianfu.databus.cli.common;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --json} for the commands that do not connect as a department (administration on a bus running on this
 * machine); {@link ClientOptions} carries the same option for the client commands.
 */
public final class JsonOption {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--json", description = "Print JSON (for scripts).")
    boolean json;

    /** Where the command prints, in the form {@code --json} asks for. */
    public Output output() {
        return Output.of(mixee, json);
    }
}
