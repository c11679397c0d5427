package cn.tianfu.databus.deadlines.app.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import cn.tianfu.databus.contract.Topics;
import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.deadlines.DecisionDuty;
import cn.tianfu.databus.deadlines.ViolationLifecycle;
import cn.tianfu.databus.deadlines.app.DeadlinesContext;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.Violation;
import cn.tianfu.databus.schemas.ViolationAction;
import cn.tianfu.databus.schemas.ViolationEvent;
import cn.tianfu.databus.schemas.ViolationStatus;
import cn.tianfu.databus.streams.RejectedRecordException;

/**
 * Applies the authority's accepted actions ({@code bus.violation-actions}, written by governance once checked) to the
 * violations, as the one writer of {@code bus.violations}, and keeps the duty an ordered rectification sets: the
 * department is reminded on its {@code reply.<dept>} {@value ViolationLifecycle#REMINDER_WORKING_DAYS} working days
 * before {@code rectifyBy}, and at {@code rectifyBy}, not recorded rectified, the violation gets
 * {@code rectificationOverdueAt} (the authority may escalate it). Both once each, recorded in the stores in the
 * transaction of what they raise.
 *
 * <p>The violation an action applies to is the one this processor last wrote (store {@value #STATE_STORE}), else the
 * latest on {@code bus.violations} (the global store). An action already in the violation's history (same step, time
 * and principal; the actions topic read again after the state was lost) changes nothing; one that no longer fits the
 * violation's status (two actions checked by governance against the same state) is dead-lettered.
 */
public final class ViolationKeeper implements Processor<String, byte[], String, Raised> {

    /** The violations this processor wrote, by id (changelogged): the open rectification duties among them. */
    public static final String STATE_STORE = "deadlines-violation-state";
    /** Per violation id, the {@code rectifyBy} whose reminder was sent (changelogged). */
    public static final String REMINDED_STORE = "deadlines-rectify-reminded";

    private final DeadlinesContext ctx;
    private final Deserializer<ViolationAction> actions;
    private final Deserializer<Violation> violations;
    private ProcessorContext<String, Raised> context;
    private KeyValueStore<String, Violation> state;
    private KeyValueStore<String, String> reminded;
    private ReadOnlyKeyValueStore<String, byte[]> raised;

    public ViolationKeeper(DeadlinesContext ctx, Deserializer<ViolationAction> actions, Deserializer<Violation> violations) {
        this.ctx = ctx;
        this.actions = actions;
        this.violations = violations;
    }

    @Override
    public void init(ProcessorContext<String, Raised> context) {
        this.context = context;
        this.state = context.getStateStore(STATE_STORE);
        this.reminded = context.getStateStore(REMINDED_STORE);
        this.raised = context.getStateStore(DutyKeeper.VIOLATIONS_STORE);
        context.schedule(ctx.checkInterval(), PunctuationType.WALL_CLOCK_TIME, this::checkAll);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        ViolationAction action;
        try {
            action = actions.deserialize(Topics.VIOLATION_ACTIONS, record.value());
        } catch (RuntimeException e) {
            throw new RejectedRecordException(DeadLetterReason.MALFORMED_BYTES, "record " + record.key() + " of "
                    + Topics.VIOLATION_ACTIONS + " cannot be read as a ViolationAction: " + e.getMessage());
        }
        String id = action.getViolationId();
        Violation current = current(id);
        if (current == null) {
            throw new RejectedRecordException(DeadLetterReason.PROCESSING_ERROR, "action " + action.getActionId()
                    + " names violation " + id + ", which is not on " + Topics.VIOLATIONS);
        }
        if (applied(current, action)) {
            return;
        }
        var problem = ViolationLifecycle.problem(current, action.getAction());
        if (problem.isPresent()) {
            throw new RejectedRecordException(DeadLetterReason.PROCESSING_ERROR, "action " + action.getActionId()
                    + " was not applied: " + problem.get());
        }
        Violation next = ViolationLifecycle.apply(current, action);
        write(next, record.timestamp());
        check(next, ctx.clock().instant(), record.timestamp());
    }

    /** The violation as this processor last wrote it, else as {@code bus.violations} holds it; null when neither has it. */
    private Violation current(String id) {
        Violation mine = state.get(id);
        if (mine != null) {
            return mine;
        }
        byte[] bytes = raised.get(id);
        return bytes == null ? null : violations.deserialize(Topics.VIOLATIONS, bytes);
    }

    private static boolean applied(Violation v, ViolationAction a) {
        ViolationStatus to = ViolationLifecycle.target(a.getAction());
        for (ViolationEvent e : v.getHistory()) {
            if (e.getStatus() == to && e.getAt().equals(a.getAt()) && e.getBy().equals(a.getBy())) {
                return true;
            }
        }
        return false;
    }

    private void write(Violation v, long timestamp) {
        if (v.getStatus() == ViolationStatus.RECTIFICATION_ORDERED) {
            state.put(v.getId(), v);
        } else {
            state.delete(v.getId()); // closed: no duty left, and bus.violations holds its latest state
            reminded.delete(v.getId());
        }
        context.forward(new Record<>(v.getId(), new Raised.Breach(v), timestamp));
    }

    void checkAll(long timestamp) {
        Instant now = ctx.clock().instant();
        List<Violation> open = new ArrayList<>();
        try (KeyValueIterator<String, Violation> it = state.all()) {
            while (it.hasNext()) {
                KeyValue<String, Violation> kv = it.next();
                open.add(kv.value);
            }
        }
        open.forEach(v -> check(v, now, timestamp));
    }

    private void check(Violation v, Instant now, long timestamp) {
        if (v.getStatus() != ViolationStatus.RECTIFICATION_ORDERED || v.getRectifyBy() == null
                || v.getRectificationOverdueAt() != null) {
            return;
        }
        Instant due = v.getRectifyBy();
        Instant remindAt = DecisionDuty.reminderAt(due, ctx.calendar());
        String remindedFor = reminded.get(v.getId());
        if (!due.toString().equals(remindedFor) && !now.isBefore(remindAt) && now.isBefore(due)) {
            String id = ViolationLifecycle.reminderId(v.getId());
            context.forward(new Record<>(id, new Raised.Reminder(reminder(id, v, now)), timestamp));
            reminded.put(v.getId(), due.toString());
        }
        if (!now.isBefore(due)) {
            write(ViolationLifecycle.rectificationOverdue(v, now, DutyKeeper.COMPONENT), timestamp);
        }
    }

    private static CommandResult reminder(String id, Violation v, Instant now) {
        return CommandResult.newBuilder()
                .setCommandId(id)
                .setDepartment(v.getDepartment())
                .setAccepted(true)
                .setOutcome(Outcome.PENDING)
                .setMessage("Reminder: the public data authority ordered you to rectify violation " + v.getId() + " ("
                        + v.getDescription() + ") by " + v.getRectifyBy() + " (" + ViolationLifecycle.REMINDER_WORKING_DAYS
                        + " working days left, Art. 46); not rectified by then, the authority may escalate it.")
                .setResourceCode(v.getResourceCode())
                .setRequestId(null)
                .setProcessedAt(now)
                .build();
    }
}
