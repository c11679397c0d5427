package cn.tianfu.databus.cli.common;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import cn.tianfu.databus.schemas.CommandResult;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;

/** What a client command prints: tables or JSON on stdout, failures as one line on stderr. */
public final class Output {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final PrintWriter out;
    private final PrintWriter err;
    private final String command;
    private final boolean json;

    public Output(PrintWriter out, PrintWriter err, String command, boolean json) {
        this.out = out;
        this.err = err;
        this.command = command;
        this.json = json;
    }

    /** The output of {@code spec}'s command: its streams, its qualified name as the prefix of failures. */
    public static Output of(CommandSpec spec, boolean json) {
        return new Output(spec.commandLine().getOut(), spec.commandLine().getErr(), spec.qualifiedName(), json);
    }

    /** Standard output. */
    public PrintWriter out() {
        return out;
    }

    /** Standard error. */
    public PrintWriter err() {
        return err;
    }

    /** Whether JSON was asked for ({@code --json}). */
    public boolean isJson() {
        return json;
    }

    /** Prints a value as JSON: Avro records as objects (times as ISO-8601 instants, dates as yyyy-MM-dd, enums by name). */
    public void json(Object value) {
        try {
            out.println(JSON.writeValueAsString(plain(value)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
        out.flush();
    }

    /** Prints one line on stderr, prefixed with the command; returns {@link ExitCode#SOFTWARE} (1). */
    public int fail(String message) {
        err.println(command + ": " + message);
        err.flush();
        return ExitCode.SOFTWARE;
    }

    /**
     * Prints governance's reply: the outcome and message on stdout when the command took effect (exit 0), on stderr
     * otherwise (exit 1). With {@code --json} the reply also goes to stdout as JSON.
     */
    public int result(CommandResult r) {
        if (json) {
            json(r);
        }
        if (!r.getAccepted()) {
            return fail(r.getOutcome() + ": " + r.getMessage());
        }
        if (!json) {
            StringBuilder b = new StringBuilder().append(r.getOutcome()).append(": ").append(r.getMessage());
            List<String> ids = new ArrayList<>();
            if (r.getResourceCode() != null) {
                ids.add("resource " + r.getResourceCode());
            }
            if (r.getRequestId() != null) {
                ids.add("request " + r.getRequestId());
            }
            if (r.getGrantId() != null) {
                ids.add("grant " + r.getGrantId());
            }
            if (!ids.isEmpty()) {
                b.append(" (").append(String.join(", ", ids)).append(')');
            }
            out.println(b);
            out.flush();
        }
        return ExitCode.OK;
    }

    static Object plain(Object v) {
        if (v instanceof IndexedRecord r) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Schema.Field f : r.getSchema().getFields()) {
                m.put(f.name(), plain(r.get(f.pos())));
            }
            return m;
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> m = new LinkedHashMap<>();
            map.forEach((k, val) -> m.put(String.valueOf(k), plain(val)));
            return m;
        }
        if (v instanceof Collection<?> c) {
            return c.stream().map(Output::plain).toList();
        }
        if (v instanceof Enum<?> e) {
            return e.name();
        }
        if (v instanceof GenericEnumSymbol<?> || v instanceof CharSequence || v instanceof Instant || v instanceof LocalDate) {
            return v.toString();
        }
        if (v instanceof ByteBuffer b) {
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            return java.util.HexFormat.of().formatHex(bytes);
        }
        return v;
    }
}
