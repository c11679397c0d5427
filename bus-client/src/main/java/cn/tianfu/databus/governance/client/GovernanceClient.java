package cn.tianfu.databus.governance.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import cn.tianfu.databus.DatabusException;
import cn.tianfu.databus.catalog.AvroSchemas;
import cn.tianfu.databus.catalog.CatalogEntries;
import cn.tianfu.databus.catalog.ResourceDefinition;
import cn.tianfu.databus.client.DatabusClientConfig;
import cn.tianfu.databus.governance.client.internal.ClientProperties;
import cn.tianfu.databus.schemas.AcceptAnswer;
import cn.tianfu.databus.schemas.AnswerReport;
import cn.tianfu.databus.schemas.CommandResult;
import cn.tianfu.databus.schemas.DisputeAction;
import cn.tianfu.databus.schemas.DisputeStep;
import cn.tianfu.databus.schemas.DisputeSubject;
import cn.tianfu.databus.schemas.OpenDispute;
import cn.tianfu.databus.schemas.ReportError;
import cn.tianfu.databus.kafka.KafkaErrors;
import cn.tianfu.databus.schemas.DecideRequest;
import cn.tianfu.databus.schemas.Decision;
import cn.tianfu.databus.schemas.GovernanceCommand;
import cn.tianfu.databus.schemas.RegisterResource;
import cn.tianfu.databus.schemas.RequestAccess;
import cn.tianfu.databus.schemas.RetireResource;
import cn.tianfu.databus.schemas.NarrowGrant;
import cn.tianfu.databus.schemas.RevokeGrant;
import cn.tianfu.databus.schemas.ActOnViolation;
import cn.tianfu.databus.schemas.ViolationActionKind;
import cn.tianfu.databus.schemas.SharingMethod;
import cn.tianfu.databus.schemas.UpdateResource;
import cn.tianfu.databus.schemas.WithdrawRequest;
import cn.tianfu.databus.serde.AvroSerde;
import cn.tianfu.databus.contract.Topics;

/**
 * Sends a department's governance commands and hands back governance's replies.
 *
 * <pre>{@code
 * try (GovernanceClient governance = GovernanceClient.create(DatabusClientConfig.load(Path.of("amr.properties")))) {
 *     CommandResult result = governance.await(
 *             governance.request("10101-000001", "核验企业法定代表人身份", Optional.empty(), SharingMethod.SERVICE,
 *                     Optional.of("《市场主体登记管理条例》第十七条")),
 *             Duration.ofSeconds(30));
 *     if (result.getOutcome() == Outcome.PENDING) { ... result.getRequestId() ... }
 * }
 * }</pre>
 *
 * <p>Each command goes as a {@link GovernanceCommand} keyed by a fresh UUID to {@code cmd.<dept>}; the reply with the
 * same id on {@code reply.<dept>} completes the returned future. The client reads every partition of its reply topic by
 * assignment (no consumer group) from the end as it was when the client was created, so it sees every reply to its own
 * commands and nothing older; replies to other clients' commands are ignored. A command left without reply for the
 * {@linkplain Builder#replyTimeout reply timeout} fails with a {@link GovernanceTimeoutException}.
 *
 * <p>Thread-safe: one client may be shared by every thread of an application. Close it to stop its reply thread.
 */
public final class GovernanceClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GovernanceClient.class);

    /** Default time to wait for governance's reply. */
    public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(30);
    /** Default time to wait for the broker and registry when connecting and sending. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(15);

    private final String department;
    private final String commandTopic;
    private final String replyTopic;
    private final Duration replyTimeout;
    private final Producer<String, GovernanceCommand> producer;
    private final Consumer<String, CommandResult> consumer;
    private final AvroSerde<GovernanceCommand> commandSerde;
    private final AvroSerde<CommandResult> resultSerde;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final Thread replyThread;
    private volatile boolean closed;

    private record Pending(CompletableFuture<CommandResult> future, ScheduledFuture<?> timeout) {
    }

    /** A client with the default timeouts. */
    public static GovernanceClient create(DatabusClientConfig config) {
        return builder(config).build();
    }

    /** A builder of a client for {@code config}'s department. */
    public static Builder builder(DatabusClientConfig config) {
        return new Builder(config);
    }

    /** Options of a {@link GovernanceClient}. */
    public static final class Builder {
        private final DatabusClientConfig config;
        private Duration replyTimeout = DEFAULT_REPLY_TIMEOUT;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;

        private Builder(DatabusClientConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** How long a submitted command waits for its reply before failing with {@link GovernanceTimeoutException}. */
        public Builder replyTimeout(Duration timeout) {
            this.replyTimeout = positive(timeout, "replyTimeout");
            return this;
        }

        /** How long to wait for the broker and the registry (connecting, sending) before giving up. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * Connects: finds the reply topic's partitions and positions at their end, so every later reply is seen.
         *
         * @throws GovernanceException when the bus cannot be reached or the department's topics do not exist
         */
        public GovernanceClient build() {
            return new GovernanceClient(config, replyTimeout, connectTimeout);
        }
    }

    private GovernanceClient(DatabusClientConfig config, Duration replyTimeout, Duration connectTimeout) {
        this.department = config.departmentId();
        this.commandTopic = Topics.commands(department);
        this.replyTopic = Topics.replies(department);
        this.replyTimeout = replyTimeout;
        this.commandSerde = AvroSerde.specific(GovernanceCommand.class);
        this.resultSerde = AvroSerde.specific(CommandResult.class);
        Map<String, Object> serde = ClientProperties.serde(config, connectTimeout);
        commandSerde.configure(serde, false);
        resultSerde.configure(serde, false);
        this.consumer = new KafkaConsumer<>(ClientProperties.assignedConsumer(config, connectTimeout), new StringDeserializer(),
                resultSerde.deserializer());
        try {
            positionAtEnd(connectTimeout);
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
        this.producer = new KafkaProducer<>(ClientProperties.producer(config, connectTimeout), new StringSerializer(),
                commandSerde.serializer());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "governance-timeouts-" + department));
        this.replyThread = daemon(this::readReplies, "governance-replies-" + department);
        replyThread.start();
    }

    private void positionAtEnd(Duration timeout) {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(replyTopic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new GovernanceException("topic " + replyTopic + " does not exist: department " + department
                        + " is not known to the bus; add it first ('databus dept add " + department + " --name ...')", false);
            }
            List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            for (TopicPartition tp : partitions) {
                consumer.position(tp, timeout); // resolves the end now, before the first command is sent
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new GovernanceException("cannot reach the bus within " + timeout.toSeconds() + " s: is it running, and are "
                    + DatabusClientConfig.BOOTSTRAP_SERVERS_CONFIG + " right?", e, true);
        } catch (GovernanceException e) {
            throw e;
        } catch (KafkaException e) {
            throw KafkaErrors.translate(e, department, "read " + replyTopic).orElseGet(() ->
                    new GovernanceException("cannot read " + replyTopic + ": " + e.getMessage(), e, false));
        }
    }

    /** The department this client sends for. */
    public String department() {
        return department;
    }

    // ---- commands ----

    /** Registers a resource this department provides. */
    public CompletableFuture<CommandResult> submit(RegisterResource command) {
        return send(command);
    }

    /** Changes the catalog entry of a resource this department provides. */
    public CompletableFuture<CommandResult> submit(UpdateResource command) {
        return send(command);
    }

    /** Retires a resource this department provides. */
    public CompletableFuture<CommandResult> submit(RetireResource command) {
        return send(command);
    }

    /** Requests access to a resource. */
    public CompletableFuture<CommandResult> submit(RequestAccess command) {
        return send(command);
    }

    /** Decides a pending request on a resource this department provides. */
    public CompletableFuture<CommandResult> submit(DecideRequest command) {
        return send(command);
    }

    /** Withdraws one of this department's pending requests. */
    public CompletableFuture<CommandResult> submit(WithdrawRequest command) {
        return send(command);
    }

    /** Revokes a grant on a resource this department provides, or gives up a grant it receives. */
    public CompletableFuture<CommandResult> submit(RevokeGrant command) {
        return send(command);
    }

    /** Narrows an active grant on a resource this department provides. */
    public CompletableFuture<CommandResult> submit(NarrowGrant command) {
        return send(command);
    }

    /**
     * Registers the resource a definition file describes, with the Avro schema derived from it.
     *
     * @throws IllegalArgumentException when the definition names another department as provider
     */
    public CompletableFuture<CommandResult> register(ResourceDefinition definition) {
        checkProvider(definition);
        return submit(CatalogEntries.registerCommand(definition));
    }

    /** Same as {@link #submit(RegisterResource)}. */
    public CompletableFuture<CommandResult> register(RegisterResource command) {
        return submit(command);
    }

    /**
     * Replaces the catalog entry of the resource a definition file describes; the derived schema must be backward
     * compatible with the current one.
     *
     * @param reason why the entry changes (Art. 14), or empty
     * @throws IllegalArgumentException when the definition names another department as provider
     */
    public CompletableFuture<CommandResult> update(ResourceDefinition definition, Optional<String> reason) {
        checkProvider(definition);
        return submit(UpdateResource.newBuilder()
                .setSpec(CatalogEntries.toSpec(definition))
                .setSchemaJson(AvroSchemas.forResource(definition).toString())
                .setReason(reason.orElse(null))
                .build());
    }

    /** Same as {@link #submit(UpdateResource)}. */
    public CompletableFuture<CommandResult> update(UpdateResource command) {
        return submit(command);
    }

    /** Retires a resource this department provides; every grant on it ends. */
    public CompletableFuture<CommandResult> retire(String resourceCode, String reason) {
        return submit(RetireResource.newBuilder().setCode(required(resourceCode, "resourceCode"))
                .setReason(required(reason, "reason")).build());
    }

    /**
     * Requests access to a resource for a stated purpose (Art. 26, 30).
     *
     * @param fields     data items wanted; empty asks for all
     * @param legalBasis duty or legal basis justifying the request, if any
     */
    public CompletableFuture<CommandResult> request(String resourceCode, String purpose, Optional<List<String>> fields,
            SharingMethod method, Optional<String> legalBasis) {
        return submit(RequestAccess.newBuilder()
                .setResourceCode(required(resourceCode, "resourceCode"))
                .setPurpose(required(purpose, "purpose"))
                .setRequestedFields(fields.map(List::copyOf).orElse(null))
                .setMethod(Objects.requireNonNull(method, "method"))
                .setLegalBasis(legalBasis.orElse(null))
                .build());
    }

    /** Approves a pending request on one of this department's resources, narrowed as {@code approval} says. */
    public CompletableFuture<CommandResult> approve(String requestId, Approval approval) {
        return submit(DecideRequest.newBuilder()
                .setRequestId(required(requestId, "requestId"))
                .setDecision(Decision.APPROVE)
                .setAllowedFields(approval.fields().orElse(null))
                .setRowFilter(approval.filter().orElse(null))
                .setClearFields(approval.clearFields().isEmpty() ? null : approval.clearFields())
                .setValidFrom(approval.validFrom().orElse(null))
                .setValidUntil(approval.validUntil().orElse(null))
                .setReason(approval.reason().orElse(null))
                .setRateLimit(approval.rateLimit().orElse(null))
                .setDailyLimit(approval.dailyLimit().orElse(null))
                .build());
    }

    /** Rejects a pending request on one of this department's resources; the reason goes to the requester. */
    public CompletableFuture<CommandResult> reject(String requestId, String reason) {
        return submit(DecideRequest.newBuilder()
                .setRequestId(required(requestId, "requestId"))
                .setDecision(Decision.REJECT)
                .setReason(required(reason, "reason"))
                .build());
    }

    /** Withdraws one of this department's pending requests. */
    public CompletableFuture<CommandResult> withdraw(String requestId, Optional<String> reason) {
        return submit(WithdrawRequest.newBuilder().setRequestId(required(requestId, "requestId")).setReason(reason.orElse(null)).build());
    }

    /** Revokes a grant on one of this department's resources, or gives up one it receives; deliveries stop. */
    public CompletableFuture<CommandResult> revoke(String grantId, String reason) {
        return submit(RevokeGrant.newBuilder().setGrantId(required(grantId, "grantId")).setReason(required(reason, "reason")).build());
    }

    /**
     * Narrows an active grant on one of this department's resources: from now on it allows only {@code fields} (empty:
     * keep them), only rows that also satisfy {@code rowFilter} (empty: keep the filter), and leaves only
     * {@code clearFields} unmasked (empty: keep those still allowed). What the consumer received outside the new terms is
     * withdrawn from its delivery topic and re-delivered within them.
     */
    public CompletableFuture<CommandResult> narrow(String grantId, Optional<List<String>> fields, Optional<String> rowFilter,
                                                   Optional<List<String>> clearFields, String reason) {
        return submit(NarrowGrant.newBuilder().setGrantId(required(grantId, "grantId"))
                .setAllowedFields(fields.map(List::copyOf).orElse(null)).setRowFilter(rowFilter.orElse(null))
                .setClearFields(clearFields.map(List::copyOf).orElse(null)).setReason(required(reason, "reason")).build());
    }

    // ---- error reports (Art. 27) and disputes (Art. 28) ----

    /**
     * Reports an error in a record of {@code resourceCode} this department received (it must hold or have held a grant
     * on it); the reply's {@code subjectId} is the report id.
     *
     * @param field   the data item found wrong, if one
     * @param foundAt when the problem was found; empty: now
     */
    public CompletableFuture<CommandResult> reportError(String resourceCode, String recordKey, Optional<String> field,
                                                        String problem, Optional<Instant> foundAt) {
        return send(ReportError.newBuilder().setResourceCode(resourceCode).setRecordKey(recordKey)
                .setField(field.orElse(null)).setProblem(problem).setFoundAt(foundAt.orElse(null)).build());
    }

    /**
     * Answers an error report on a resource this department provides: the record was corrected (publish the corrected
     * record first; {@code exchangeId} links its re-delivery when known) or the report is rejected with a reason.
     */
    public CompletableFuture<CommandResult> answerReport(String reportId, boolean corrected, Optional<String> note,
                                                         Optional<String> exchangeId) {
        return send(AnswerReport.newBuilder().setReportId(reportId).setCorrected(corrected).setNote(note.orElse(null))
                .setExchangeId(exchangeId.orElse(null)).build());
    }

    /** Accepts the provider's answer to an error report this department filed. */
    public CompletableFuture<CommandResult> acceptAnswer(String reportId) {
        return send(AcceptAnswer.newBuilder().setReportId(reportId).build());
    }

    /** Opens a dispute about a refused request, a report's answer or a grant; the reply's {@code subjectId} is its id. */
    public CompletableFuture<CommandResult> openDispute(DisputeSubject subject, String subjectId, String statement) {
        return send(OpenDispute.newBuilder().setSubject(subject).setSubjectId(subjectId).setStatement(statement).build());
    }

    /**
     * One step of a dispute: a message, settling or escalating it (a party), referring it to an expert or deciding it
     * (the authority), an opinion (the expert it was referred to).
     *
     * @param text   the message, opinion, decision or note
     * @param expert with {@link DisputeAction#REFER}: the expert id
     */
    public CompletableFuture<CommandResult> disputeStep(String disputeId, DisputeAction action, Optional<String> text,
                                                        Optional<String> expert) {
        return send(DisputeStep.newBuilder().setDisputeId(disputeId).setAction(action).setText(text.orElse(null))
                .setExpert(expert.orElse(null)).build());
    }

    /**
     * The authority acts on a violation (Art. 46): order its rectification, record it rectified, or escalate it. Only
     * the bus principal's client is accepted; governance refuses it from a department.
     */
    public CompletableFuture<CommandResult> submit(ActOnViolation command) {
        return send(command);
    }

    /** Orders the department to rectify {@code violationId} within {@code workingDays} working days (责令限期整改). */
    public CompletableFuture<CommandResult> orderRectification(String violationId, int workingDays, Optional<String> note) {
        return submit(ActOnViolation.newBuilder().setViolationId(required(violationId, "violationId"))
                .setAction(ViolationActionKind.ORDER_RECTIFICATION).setWithinWorkingDays(workingDays)
                .setNote(note.orElse(null)).build());
    }

    /** Orders the department to rectify {@code violationId} by {@code rectifyBy}. */
    public CompletableFuture<CommandResult> orderRectification(String violationId, Instant rectifyBy, Optional<String> note) {
        return submit(ActOnViolation.newBuilder().setViolationId(required(violationId, "violationId"))
                .setAction(ViolationActionKind.ORDER_RECTIFICATION).setRectifyBy(rectifyBy)
                .setNote(note.orElse(null)).build());
    }

    /**
     * The authority records a change of law or of {@code department}'s duties (Art. 14): the department must update its
     * catalogue within 15 working days. Only the bus principal's client is accepted; governance refuses it from a
     * department, and for a department the bus does not know.
     */
    public CompletableFuture<CommandResult> noticeCatalogUpdate(String department, String reason) {
        return send(cn.tianfu.databus.schemas.NoticeCatalogUpdate.newBuilder()
                .setDepartment(required(department, "department")).setReason(required(reason, "reason")).build());
    }

    /**
     * Files a member of the public's request to open data (Art. 34). Only the bus principal's client (the open-data
     * platform) is accepted; the reply's {@code subjectId} is the request id, its outcome PENDING.
     */
    public CompletableFuture<CommandResult> submitPublicRequest(cn.tianfu.databus.schemas.SubmitPublicRequest command) {
        return send(command);
    }

    /**
     * The provider's answer to public request {@code requestId}: OPENED, WILL_OPEN with {@code openBy}, or REFUSED with
     * the reason in {@code answer}.
     */
    public CompletableFuture<CommandResult> answerPublicRequest(String requestId,
            cn.tianfu.databus.schemas.PublicRequestStatus status, Optional<String> answer, Optional<String> resourceCode,
            Optional<java.time.LocalDate> openBy) {
        return send(cn.tianfu.databus.schemas.AnswerPublicRequest.newBuilder()
                .setRequestId(required(requestId, "requestId")).setStatus(status).setAnswer(answer.orElse(null))
                .setResourceCode(resourceCode.orElse(null)).setOpenBy(openBy.orElse(null)).build());
    }

    /**
     * The requester of public request {@code requestId} disputes its answer and asks the authority for review (Art. 34),
     * proven by the digest of the review token its filing returned. Only the bus principal's client (the open-data
     * platform) is accepted.
     */
    public CompletableFuture<CommandResult> requestPublicReview(String requestId, String reason, String reviewTokenDigest) {
        return send(cn.tianfu.databus.schemas.RequestPublicReview.newBuilder()
                .setRequestId(required(requestId, "requestId")).setReason(required(reason, "reason"))
                .setReviewTokenDigest(required(reviewTokenDigest, "reviewTokenDigest")).build());
    }

    /** The authority records the expert committee's opinion on the review of {@code requestId} (bus principal only). */
    public CompletableFuture<CommandResult> recordReviewOpinion(String requestId, String opinion) {
        return send(cn.tianfu.databus.schemas.RecordReviewOpinion.newBuilder()
                .setRequestId(required(requestId, "requestId")).setOpinion(required(opinion, "opinion")).build());
    }

    /** The authority's result of the review of {@code requestId}: UPHELD or OVERTURNED, with the reason (bus principal only). */
    public CompletableFuture<CommandResult> decidePublicReview(String requestId,
            cn.tianfu.databus.schemas.PublicReviewDecision decision, String reason) {
        return send(cn.tianfu.databus.schemas.DecidePublicReview.newBuilder()
                .setRequestId(required(requestId, "requestId")).setDecision(decision)
                .setReason(required(reason, "reason")).build());
    }

    /** Records an ordered rectification of {@code violationId} as done, or escalates it. */
    public CompletableFuture<CommandResult> closeViolation(String violationId, ViolationActionKind action, Optional<String> note) {
        return submit(ActOnViolation.newBuilder().setViolationId(required(violationId, "violationId")).setAction(action)
                .setNote(note.orElse(null)).build());
    }

    /**
     * Waits for a reply.
     *
     * @throws GovernanceTimeoutException when no reply arrives within {@code timeout} (the command is then forgotten)
     * @throws GovernanceException        when the command could not be sent or the client was closed
     */
    public CommandResult await(CompletableFuture<CommandResult> reply, Duration timeout) {
        try {
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            GovernanceTimeoutException timedOut = pending.entrySet().stream()
                    .filter(p -> p.getValue().future() == reply).findFirst()
                    .map(p -> new GovernanceTimeoutException(p.getKey(), replyTopic, timeout))
                    .orElseGet(() -> new GovernanceTimeoutException("?", replyTopic, timeout));
            forget(timedOut.commandId(), timedOut);
            throw timedOut;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DatabusException d) {
                throw d;
            }
            throw new GovernanceException("command failed: " + e.getCause(), e.getCause(), false);
        } catch (CancellationException e) {
            throw new GovernanceException("the command was cancelled before its reply arrived", e, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GovernanceException("interrupted while waiting for governance's reply", e, true);
        }
    }

    /** Stops the reply thread and the producer; commands still waiting fail with a {@link GovernanceException}. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        consumer.wakeup();
        try {
            replyThread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        timer.shutdownNow();
        for (String id : List.copyOf(pending.keySet())) {
            forget(id, new GovernanceException("governance client closed before the reply to command " + id + " arrived", false));
        }
    }

    // ---- internals ----

    private CompletableFuture<CommandResult> send(SpecificRecord payload) {
        Objects.requireNonNull(payload, "payload");
        if (closed) {
            throw new IllegalStateException("the governance client is closed");
        }
        String id = UUID.randomUUID().toString();
        GovernanceCommand command = GovernanceCommand.newBuilder()
                .setCommandId(id)
                .setIssuedAt(Instant.now())
                .setDepartment(department)
                .setPayload(payload)
                .build();
        CompletableFuture<CommandResult> future = new CompletableFuture<>();
        ScheduledFuture<?> timeout = timer.schedule(
                () -> forget(id, new GovernanceTimeoutException(id, replyTopic, replyTimeout)),
                replyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        pending.put(id, new Pending(future, timeout));
        try {
            producer.send(new ProducerRecord<>(commandTopic, id, command), (metadata, error) -> {
                if (error != null) {
                    forget(id, KafkaErrors.translate(error, department, "write " + commandTopic).orElseGet(() ->
                            new GovernanceException("cannot send command " + id + " to " + commandTopic + ": " + error.getMessage(),
                                    error, error instanceof RetriableException)));
                }
            });
        } catch (DatabusException e) {
            forget(id, e);
        } catch (KafkaException e) {
            forget(id, KafkaErrors.translate(e, department, "write " + commandTopic).orElseGet(() ->
                    new GovernanceException("cannot send command " + id + " to " + commandTopic + ": " + e.getMessage(),
                            e, e instanceof RetriableException || e.getCause() instanceof RetriableException)));
        }
        return future;
    }

    private void forget(String id, Throwable failure) {
        Pending p = pending.remove(id);
        if (p != null) {
            p.timeout().cancel(false);
            p.future().completeExceptionally(failure);
        }
    }

    private void readReplies() {
        try {
            while (!closed) {
                try {
                    for (ConsumerRecord<String, CommandResult> r : consumer.poll(Duration.ofMillis(500))) {
                        CommandResult result = r.value();
                        String id = result != null ? result.getCommandId() : r.key();
                        Pending p = id == null ? null : pending.remove(id);
                        if (p == null) {
                            continue; // a reply to another client of this department, or to a forgotten command
                        }
                        p.timeout().cancel(false);
                        if (result == null) {
                            p.future().completeExceptionally(new GovernanceException("empty reply to command " + id, false));
                        } else {
                            p.future().complete(result);
                        }
                    }
                } catch (RecordDeserializationException e) {
                    LOG.warn("Skipping unreadable reply at {} offset {}: {}", e.topicPartition(), e.offset(), e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                } catch (WakeupException e) {
                    // close() woke us
                } catch (org.apache.kafka.common.errors.AuthenticationException
                        | org.apache.kafka.common.errors.AuthorizationException e) {
                    // never heals by retrying: fail what waits, and stop reading
                    RuntimeException typed = KafkaErrors.translateOr(e, department, "read " + replyTopic);
                    LOG.error("Stopped reading {}: {}", replyTopic, typed.getMessage());
                    pending.keySet().forEach(id -> forget(id, typed));
                    return;
                } catch (KafkaException e) {
                    if (!closed) {
                        LOG.warn("Reading {} failed, retrying: {}", replyTopic, e.toString());
                    }
                }
            }
        } finally {
            consumer.close(Duration.ZERO);
        }
    }

    private void checkProvider(ResourceDefinition definition) {
        if (!definition.provider().equals(department)) {
            throw new IllegalArgumentException(definition.source() + " defines a resource provided by " + definition.provider()
                    + ", but this client sends for " + department + ": only the provider registers or changes a resource");
        }
    }

    private static String required(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }

    private static Duration positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return d;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
