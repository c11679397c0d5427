package cn.tianfu.databus.governance.rules;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import org.apache.avro.Schema;

import cn.tianfu.databus.calendar.CalendarException;
import cn.tianfu.databus.calendar.WorkingDayCalendar;

/**
 * What {@link GovernanceRules} decided about a command: {@link Accepted} (the answer and the new states to write, in
 * order) or {@link Refused} (the answer only, nothing changes), or a step the rules need carried out before they can
 * decide: fetch a schema, provision a resource's topic and schema, register a new schema version, or count on the
 * calendar. The processor carries out a step and applies its {@code then} to what came of it, until the decision is
 * final; a step changes no governance state.
 */
public sealed interface Decision {

    /** The command is carried out (or filed): write {@code changes} in order, then reply {@code answer}. */
    record Accepted(Answer answer, List<Change> changes) implements Decision {
        public Accepted {
            Objects.requireNonNull(answer, "answer");
            changes = List.copyOf(changes);
        }
    }

    /** The command is refused: reply {@code answer}, change nothing. */
    record Refused(Answer answer) implements Decision {
        public Refused {
            Objects.requireNonNull(answer, "answer");
        }
    }

    /** Fetch the registered schema with id {@code schemaId}, then decide on what the registry answered. */
    record FetchSchema(int schemaId, Function<SchemaFetch, Decision> then) implements Decision {
    }

    /**
     * Provision a new resource: create its source {@code topic}, remove a {@code subject} no catalog entry holds (left
     * by a registration that was not accepted), register {@code schema} under it when compatible and make the subject
     * BACKWARD compatible; then decide on what the registry answered.
     */
    record ProvisionResource(String topic, String subject, Schema schema, Function<SchemaRegistration, Decision> then)
            implements Decision {
    }

    /** Register {@code schema} as a new version of {@code subject} when it is compatible, then decide on the answer. */
    record RegisterVersion(String subject, Schema schema, Function<SchemaRegistration, Decision> then) implements Decision {
    }

    /**
     * Give the working-day calendar due times are counted on ({@code then}), or the reason it cannot be built
     * ({@code uncountable}).
     */
    record NeedsCalendar(Function<WorkingDayCalendar, Decision> then, Function<CalendarException, Decision> uncountable)
            implements Decision {
    }

    /** Whether nothing is left to carry out before replying. */
    default boolean isFinal() {
        return this instanceof Accepted || this instanceof Refused;
    }

    static Decision accepted(Answer answer, Change... changes) {
        return new Accepted(answer, List.of(changes));
    }

    static Decision refused(Answer answer) {
        return new Refused(answer);
    }
}
