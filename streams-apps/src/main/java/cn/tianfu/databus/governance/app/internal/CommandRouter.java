package cn.tianfu.databus.governance.app.internal;

import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import cn.tianfu.databus.deadletter.DeadLetterReason;
import cn.tianfu.databus.deadletter.DeadLetters;
import cn.tianfu.databus.governance.app.GovernanceContext;
import cn.tianfu.databus.contract.Principals;
import cn.tianfu.databus.governance.rules.AccountabilityRules;
import cn.tianfu.databus.governance.rules.Ids;
import cn.tianfu.databus.schemas.AcceptAnswer;
import cn.tianfu.databus.schemas.AnswerReport;
import cn.tianfu.databus.schemas.DisputeStep;
import cn.tianfu.databus.schemas.OpenDispute;
import cn.tianfu.databus.schemas.ReportError;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DecideRequest;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.Outcome;
import cn.tianfu.databus.schemas.RegisterResource;
import cn.tianfu.databus.schemas.RequestAccess;
import cn.tianfu.databus.schemas.RetireResource;
import cn.tianfu.databus.schemas.NarrowGrant;
import cn.tianfu.databus.schemas.RevokeGrant;
import cn.tianfu.databus.schemas.MarkOverdue;
import cn.tianfu.databus.schemas.NoticeCatalogUpdate;
import cn.tianfu.databus.governance.rules.NoticeRules;
import cn.tianfu.databus.schemas.ActOnViolation;
import cn.tianfu.databus.schemas.UpdateResource;
import cn.tianfu.databus.schemas.WithdrawRequest;
import cn.tianfu.databus.contract.Topics;

/**
 * First step: reads each record of a {@code cmd.<dept>} topic from raw bytes, names its sender by the topic, sends
 * unreadable records to the dead-letter topic (answering INVALID when the key holds a command id), refuses a command
 * claiming another department, and routes every other command to the resource it concerns (key: resource code).
 */
public final class CommandRouter implements Processor<byte[], byte[], String, Out> {

    public static final String COMPONENT = "governance";

    private final GovernanceContext ctx;
    private final Set<String> knownSenders = new HashSet<>();
    private ProcessorContext<String, Out> context;
    private CommandReader reader;

    public CommandRouter(GovernanceContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void init(ProcessorContext<String, Out> context) {
        this.context = context;
        this.reader = new CommandReader(ctx.registry());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        Optional<RecordMetadata> meta = context.recordMetadata();
        String topic = meta.map(RecordMetadata::topic).orElse("");
        int partition = meta.map(RecordMetadata::partition).orElse(-1);
        long offset = meta.map(RecordMetadata::offset).orElse(-1L);
        Optional<String> senderOf = Topics.parseCommandSender(topic);
        Instant now = ctx.clock().instant();
        if (senderOf.isEmpty()) {
            dead(record, topic, partition, offset, DeadLetterReason.INVALID_COMMAND, "topic '" + topic
                    + "' is not a command topic cmd.<dept>", now);
            return;
        }
        String sender = senderOf.get();
        ensureReplyTopic(sender);
        String keyId = CommandReader.commandIdFromKey(record.key());

        CommandReader.Reading reading = reader.read(topic, record.value());
        if (!reading.ok()) {
            dead(record, topic, partition, offset, reading.reason(), reading.problem(), now);
            if (keyId != null) {
                reply(record, sender, keyId, Outcome.INVALID, "the command could not be read (" + reading.reason() + "): "
                        + reading.problem() + "; it was put on " + Topics.DEADLETTER, null, now);
            }
            return;
        }
        GovernanceCommand cmd = reading.command();
        String commandId = cmd.getCommandId();
        if (commandId == null || commandId.isBlank()) {
            dead(record, topic, partition, offset, DeadLetterReason.INVALID_COMMAND, "the command has no commandId", now);
            if (keyId != null) {
                reply(record, sender, keyId, Outcome.INVALID, "the command has no commandId; set it to a unique id (the"
                        + " record key should carry the same id)", null, now);
            }
            return;
        }
        if (!sender.equals(cmd.getDepartment())) {
            reply(record, sender, commandId, Outcome.REFUSED, "the command claims department '" + cmd.getDepartment()
                    + "' but arrived on " + topic + ", which only department '" + sender + "' writes: a department sends"
                    + " commands in its own name only; set department to '" + sender + "'", null, now);
            return;
        }
        Object payload = cmd.getPayload();
        String code = resourceCode(payload);
        if (Principals.isExpert(sender) && !(payload instanceof DisputeStep)) {
            reply(record, sender, commandId, Outcome.REFUSED, "an expert of the expert committee records opinions on the"
                    + " disputes referred to it and sends no other command", null, now);
            return;
        }
        if (payload instanceof AnswerReport || payload instanceof AcceptAnswer) {
            String reportId = payload instanceof AnswerReport a ? a.getReportId() : ((AcceptAnswer) payload).getReportId();
            Optional<String> routed = Ids.resourceOfReport(reportId);
            if (routed.isEmpty()) {
                reply(record, sender, commandId, Outcome.NOT_FOUND, "there is no error report '" + reportId + "': report"
                        + " ids look like <resourceCode>.E<number>, as the reply to the report gave it", null, now);
                return;
            }
            code = routed.get();
        } else if (payload instanceof DisputeStep d) {
            Optional<String> routed = Ids.resourceOfDispute(d.getDisputeId());
            if (routed.isEmpty()) {
                reply(record, sender, commandId, Outcome.NOT_FOUND, "there is no dispute '" + d.getDisputeId() + "': dispute"
                        + " ids look like <resourceCode>.D<number>", null, now);
                return;
            }
            code = routed.get();
        } else if (payload instanceof OpenDispute o) {
            code = AccountabilityRules.resourceOfSubject(o.getSubject(), o.getSubjectId());
            if (code == null) {
                reply(record, sender, commandId, Outcome.NOT_FOUND, "there is no " + o.getSubject().name().toLowerCase()
                        + " '" + o.getSubjectId() + "': give a request id (<code>.R<n>), a report id (<code>.E<n>) or a"
                        + " grant id (<code>.G<n>)", null, now);
                return;
            }
        } else if (payload instanceof DecideRequest || payload instanceof WithdrawRequest) {
            String requestId = payload instanceof DecideRequest d ? d.getRequestId() : ((WithdrawRequest) payload).getRequestId();
            Optional<String> routed = Ids.resourceOfRequest(requestId);
            if (routed.isEmpty()) {
                reply(record, sender, commandId, Outcome.NOT_FOUND, "there is no request '" + requestId + "': request ids"
                        + " look like <resourceCode>.R<number>, as the reply to the request gave it", null, now);
                return;
            }
            code = routed.get();
        } else if (payload instanceof MarkOverdue m) {
            Optional<String> routed = Ids.resourceOfRequest(m.getRequestId());
            if (routed.isEmpty()) {
                reply(record, sender, commandId, Outcome.NOT_FOUND, "there is no request '" + m.getRequestId() + "'", null, now);
                return;
            }
            code = routed.get();
        } else if (payload instanceof NoticeCatalogUpdate n) {
            if (n.getDepartment() == null || n.getDepartment().isBlank()) {
                reply(record, sender, commandId, Outcome.INVALID, "the notice names no department", null, now);
                return;
            }
            code = NoticeRules.departmentPrefix(n.getDepartment()); // one department's notices decided in order
        } else if (payload instanceof cn.tianfu.databus.schemas.SubmitPublicRequest s) {
            if (s.getProvider() == null || !Topics.DEPARTMENT_ID.matcher(s.getProvider()).matches()) {
                reply(record, sender, commandId, Outcome.INVALID, "the public request names no department to ask ('"
                        + s.getProvider() + "' is no department id)", null, now);
                return;
            }
            code = cn.tianfu.databus.governance.rules.PublicRequestRules.routingKey(s.getProvider());
        } else if (payload instanceof cn.tianfu.databus.schemas.AnswerPublicRequest
                || payload instanceof cn.tianfu.databus.schemas.RequestPublicReview
                || payload instanceof cn.tianfu.databus.schemas.RecordReviewOpinion
                || payload instanceof cn.tianfu.databus.schemas.DecidePublicReview) {
            String requestId = payload instanceof cn.tianfu.databus.schemas.AnswerPublicRequest a ? a.getRequestId()
                    : payload instanceof cn.tianfu.databus.schemas.RequestPublicReview r ? r.getRequestId()
                    : payload instanceof cn.tianfu.databus.schemas.RecordReviewOpinion o ? o.getRequestId()
                    : ((cn.tianfu.databus.schemas.DecidePublicReview) payload).getRequestId();
            // the answer and the review of one provider's requests are decided in order, on its key
            Optional<String> provider = cn.tianfu.databus.governance.rules.PublicRequestRules.providerOf(requestId);
            if (provider.isEmpty()) {
                reply(record, sender, commandId, Outcome.NOT_FOUND, "there is no public request '" + requestId
                        + "': public request ids look like <provider>.P<number>", null, now);
                return;
            }
            code = cn.tianfu.databus.governance.rules.PublicRequestRules.routingKey(provider.get());
        } else if (payload instanceof ActOnViolation a) {
            if (a.getViolationId() == null || a.getViolationId().isBlank()) {
                reply(record, sender, commandId, Outcome.INVALID, "the command names no violation id", null, now);
                return;
            }
            code = a.getViolationId(); // routed by violation id: the actions on one violation are decided in order
        } else if (payload instanceof RevokeGrant || payload instanceof NarrowGrant) {
            String grantId = payload instanceof RevokeGrant r ? r.getGrantId() : ((NarrowGrant) payload).getGrantId();
            Optional<String> routed = Ids.resourceOfGrant(grantId);
            if (routed.isEmpty()) {
                reply(record, sender, commandId, Outcome.NOT_FOUND, "there is no grant '" + grantId + "': grant ids"
                        + " look like <resourceCode>.G<number>", null, now);
                return;
            }
            code = routed.get();
        } else if (code == null || !Topics.RESOURCE_CODE.matcher(code).matches()) {
            reply(record, sender, commandId, Outcome.INVALID, "resource code '" + code + "' is invalid: use 1-100 letters,"
                    + " digits, '-' and '_', starting with a letter or digit (e.g. 101-000001)", code, now);
            return;
        }
        context.forward(record.withKey(code).withValue(new Out.Routed(new Envelope(sender, topic, partition, offset,
                record.value()))));
    }

    private static String resourceCode(Object payload) {
        if (payload instanceof RegisterResource r) {
            return r.getSpec().getCode();
        } else if (payload instanceof UpdateResource u) {
            return u.getSpec().getCode();
        } else if (payload instanceof RetireResource r) {
            return r.getCode();
        } else if (payload instanceof RequestAccess r) {
            return r.getResourceCode();
        } else if (payload instanceof ReportError r) {
            return r.getResourceCode();
        }
        return null;
    }

    private void ensureReplyTopic(String sender) {
        if (knownSenders.add(sender)) {
            try {
                ctx.topics().ensure(Topics.replies(sender), 1, Map.of());
            } catch (RuntimeException e) {
                knownSenders.remove(sender);
                throw e;
            }
        }
    }

    private void dead(Record<byte[], byte[]> record, String topic, int partition, long offset, DeadLetterReason reason,
                      String message, Instant now) {
        var letter = DeadLetters.builder(COMPONENT, reason, message)
                .source(topic, partition < 0 ? null : partition, offset < 0 ? null : offset)
                .original(record.key(), record.value(), record.headers())
                .time(now)
                .build();
        context.forward(new Record<>(letter.getId(), new Out.Dead(letter), record.timestamp()));
    }

    private void reply(Record<byte[], byte[]> record, String sender, String commandId, Outcome outcome, String message,
                       String code, Instant now) {
        CommandResult result = CommandResult.newBuilder()
                .setCommandId(commandId)
                .setDepartment(sender)
                .setAccepted(false)
                .setOutcome(outcome)
                .setMessage(message)
                .setResourceCode(code)
                .setProcessedAt(now)
                .build();
        context.forward(new Record<>(commandId, new Out.Reply(sender, result), record.timestamp()));
    }
}
