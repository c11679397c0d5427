package cn.tianfu.databus.contract;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;


/**
 * Every topic name of the bus, declared once. No other class builds a topic name by concatenation: department
 * topics come from the factory methods here, system topics from the constants, and the streams apps subscribe with
 * the patterns here.
 *
 * <p>The layout is chosen so that Kafka's prefix ACLs express the whole access policy: a department writes
 * {@code src.<dept>.} and {@code cmd.<dept>}, reads {@code dlv.<dept>.} and {@code reply.<dept>}.
 *
 * <pre>{@code
 * String topic = Topics.source("psb", "population");   // "src.psb.population"
 * Topics.parseSource(topic).get().department();        // "psb"
 * }</pre>
 */
public final class Topics {

    /**
     * The largest record batch, in bytes, the bus accepts on a department's {@code src.} and {@code cmd.} topics (their
     * {@code max.message.bytes}): {@link RecordLimits#MAX_RECORD_BYTES}, 1 MiB. Every producer the bus runs is sized
     * above it ({@link RecordLimits#MAX_REQUEST_BYTES}), so a record a department could publish can always be routed,
     * delivered and, cut, dead-lettered.
     */
    public static final int MAX_MESSAGE_BYTES = RecordLimits.MAX_RECORD_BYTES;

    /** Five years, the exchange log's legal retention (Art. 23). */
    public static final Duration FIVE_YEARS = Duration.ofDays(5 * 365 + 1);

    public static final String SOURCE_PREFIX = "src.";
    public static final String DELIVERY_PREFIX = "dlv.";
    public static final String COMMAND_PREFIX = "cmd.";
    public static final String REPLY_PREFIX = "reply.";
    /**
     * Prefix of the open-data topics, {@code open.<resource>}: the open fields of each open resource, written by the
     * sharing router through the resource's open grant, readable by every department and the bus (Art. 31).
     */
    public static final String OPEN_PREFIX = "open.";

    public static final String CATALOG = "bus.catalog";
    public static final String GRANTS = "bus.grants";
    public static final String REQUESTS = "bus.requests";
    /**
     * Every version of every catalog entry, keyed by resource code, written by governance in the same transaction as
     * {@link #CATALOG}; delete policy, kept without a time limit, never compacted (the catalog's history, Art. 14).
     */
    public static final String CATALOG_HISTORY = "bus.catalog.history";
    /** Downloads served per open resource, keyed by resource code, the value the count as decimal text (compacted). */
    public static final String OPEN_DOWNLOADS = "bus.open.downloads";
    /** The departments known to the bus, keyed by department id (compacted). */
    public static final String DEPARTMENTS = "bus.departments";
    /**
     * The working-day calendars, one record per region and year keyed {@code <region>/<year>} (e.g. {@code CN/2027};
     * compacted); only the bus writes and reads it.
     */
    public static final String CALENDARS = "bus.calendars";
    /** The auditors known to the bus, keyed by auditor id (compacted); only the bus reads it. */
    public static final String AUDITORS = "bus.auditors";
    /** The experts of the expert committee known to the bus, keyed by expert id (compacted); only the bus reads it. */
    public static final String EXPERTS = "bus.experts";
    public static final String EXCHANGE_LOG = "bus.exchange-log";
    public static final String EXCHANGE_LOG_STAGING = "bus.exchange-log.staging";
    public static final String EXCHANGE_LOG_CHECKPOINTS = "bus.exchange-log.checkpoints";
    /**
     * The violations of the regulation (Art. 46), keyed by violation id (compacted: the latest status of each is kept,
     * and a violation raised again under its deterministic id is the same one); written by the deadlines app.
     */
    public static final String VIOLATIONS = "bus.violations";
    /**
     * The authority's accepted actions on violations (order rectification, rectified, escalate), keyed by violation id:
     * written by governance once it has checked them, applied to {@link #VIOLATIONS} by the deadlines app, its one writer.
     */
    public static final String VIOLATION_ACTIONS = "bus.violation-actions";
    /**
     * The consumers' error reports (校核, Art. 27), keyed by report id (compacted: the latest state of each); written by
     * governance only.
     */
    public static final String ERROR_REPORTS = "bus.error-reports";
    /** The disputes between departments (异议, Art. 28), keyed by dispute id (compacted); written by governance only. */
    public static final String DISPUTES = "bus.disputes";
    /**
     * The authority's notices to departments to update their catalogue after a change of law or of their duties
     * (Art. 14), keyed by notice id (compacted: OPEN, then CLOSED once the department changed its catalogue); written by
     * governance only, read by the deadlines app (the duty, Art. 46(四)).
     */
    public static final String CATALOG_NOTICES = "bus.catalog-notices";
    /**
     * The public's requests to open data (Art. 34), keyed by request id (compacted: PENDING, then the provider's
     * answer); written by governance only, read by the deadlines app (the 10-day duty, Art. 46(五)) and the HTTP API
     * (the public status page).
     */
    public static final String PUBLIC_REQUESTS = "bus.public-requests";
    /**
     * The public's comments and ratings on open datasets (Art. 35), keyed by comment id (compacted: the comment, then
     * with the provider's answer); written by the bus's HTTP API only.
     */
    public static final String COMMENTS = "bus.comments";
    /**
     * The authority's command topic: the bus principal sends governance commands of the authority (refer or decide a
     * dispute, act on a violation) and the deadlines app its {@code MarkOverdue} on it. {@code bus} is reserved (no department takes it), so the topic names the authority.
     */
    public static final String AUTHORITY_COMMANDS = COMMAND_PREFIX + "bus";
    /** Where governance answers the authority's commands. */
    public static final String AUTHORITY_REPLIES = REPLY_PREFIX + "bus";
    public static final String DEADLETTER = "bus.deadletter";
    /**
     * The quality evaluation of every resource (Art. 41), keyed by resource code (compacted: the latest scores of
     * each); written by the quality app only, read by the authority ({@code databus quality}).
     */
    public static final String QUALITY = "bus.quality";
    /** The schema registry's own log, named as Confluent Schema Registry names it. */
    public static final String SCHEMAS = "_schemas";
    /**
     * District tiers (docs/tiers.md): on a district bus, the city bus's grants on the district's resources shared
     * upward, copied there by {@code databus tier link} so both buses record them; keyed by grant id (compacted), the
     * value a {@code Grant} in the district registry's framing.
     */
    public static final String TIER_GRANTS = "bus.tier.grants";

    /** Department ids: lower case, start with a letter, no dots (the dot separates the parts of a topic name). */
    public static final Pattern DEPARTMENT_ID = Pattern.compile("[a-z][a-z0-9-]{1,31}");
    /** Resource codes as they appear in topic names: letters, digits, '-' and '_', no dots. */
    public static final Pattern RESOURCE_CODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,99}");

    /** CDC runner names, as they appear in the runner's own topics. */
    public static final Pattern CDC_RUNNER = Pattern.compile("[a-z][a-z0-9-]{1,47}");
    private static final String CDC_INFIX = "_cdc.";

    /** Every {@code src.<dept>.<resource>} topic. */
    public static final Pattern SOURCE_PATTERN = Pattern.compile("src\\.([a-z][a-z0-9-]{1,31})\\.([A-Za-z0-9][A-Za-z0-9_-]{0,99})");
    /** Every CDC runner's dead-letter topic; group 1 is the department, group 2 the runner. */
    public static final Pattern CDC_DEADLETTERS_PATTERN = Pattern.compile("src\\.([a-z][a-z0-9-]{1,31})\\._cdc\\.([a-z][a-z0-9-]{1,47})\\.deadletters");

    /** Every {@code cmd.<dept>} topic. */
    public static final Pattern COMMAND_PATTERN = Pattern.compile("cmd\\.([a-z][a-z0-9-]{1,31})");

    private Topics() {
    }

    /** The topic a department publishes one resource's changes on. */
    public static String source(String department, String resourceCode) {
        return SOURCE_PREFIX + checkDepartment(department) + "." + checkResource(resourceCode);
    }

    /** The topic the bus delivers one resource to one consuming department on. */
    public static String delivery(String consumer, String resourceCode) {
        return DELIVERY_PREFIX + checkDepartment(consumer) + "." + checkResource(resourceCode);
    }

    /** The open-data topic of a resource: {@code open.<resource>}. */
    public static String open(String resourceCode) {
        return OPEN_PREFIX + checkResource(resourceCode);
    }

    /** Parses {@code open.<resource>} to the resource code; empty when the name is not an open-data topic. */
    public static Optional<String> parseOpen(String topic) {
        if (topic == null || !topic.startsWith(OPEN_PREFIX)) {
            return Optional.empty();
        }
        String code = topic.substring(OPEN_PREFIX.length());
        return RESOURCE_CODE.matcher(code).matches() ? Optional.of(code) : Optional.empty();
    }

    /** Prefix of all of a department's delivery topics (for prefix ACLs and pattern subscriptions). */
    public static String deliveryPrefix(String consumer) {
        return DELIVERY_PREFIX + checkDepartment(consumer) + ".";
    }

    /** Prefix of all of a department's source topics. */
    public static String sourcePrefix(String department) {
        return SOURCE_PREFIX + checkDepartment(department) + ".";
    }

    /** The topic a department sends governance commands on; the topic names the sender. */
    public static String commands(String department) {
        return COMMAND_PREFIX + checkDepartment(department);
    }

    /** The topic governance answers a department's commands on. */
    public static String replies(String department) {
        return REPLY_PREFIX + checkDepartment(department);
    }

    /** Prefix of every consumer group and transactional id a department may use. */
    public static String groupPrefix(String department) {
        return checkDepartment(department) + ".";
    }

    /**
     * Where a department's CDC runner keeps its Debezium offsets: {@code src.<dept>._cdc.<runner>.offsets}. Under the
     * department's prefix (its ACLs cover it) but not a source topic: it does not match {@link #SOURCE_PATTERN}.
     */
    public static String cdcOffsets(String department, String runner) {
        return cdcPrefix(department) + checkRunner(runner) + ".offsets";
    }

    /** Where a department's CDC runner keeps the MySQL/MariaDB schema history: {@code src.<dept>._cdc.<runner>.schema-history}. */
    public static String cdcSchemaHistory(String department, String runner) {
        return cdcPrefix(department) + checkRunner(runner) + ".schema-history";
    }

    /**
     * Prefix of a department's CDC runners' internal topics, {@code src.<dept>._cdc.}: the only prefix under which a
     * department may create topics (Debezium creates its offsets and schema-history topics itself). Never a source topic.
     */
    public static String cdcPrefix(String department) {
        return sourcePrefix(department) + CDC_INFIX;
    }

    /**
     * Whether {@code topic} is a CDC runner's internal topic ({@code src.<dept>._cdc....}), which departments create
     * themselves with partitions and configs of their choosing: no bus app may read it as a source.
     */
    public static boolean isCdcInternal(String topic) {
        if (topic == null || !topic.startsWith(SOURCE_PREFIX)) {
            return false;
        }
        int dot = topic.indexOf('.', SOURCE_PREFIX.length());
        return dot > 0 && topic.startsWith(CDC_INFIX, dot + 1);
    }

    /**
     * Where a department's CDC runner reports what it cannot publish: {@code src.<dept>._cdc.<runner>.deadletters}. Only
     * the department can write it (its prefix), so the topic name, not the record, says who wrote a dead letter there;
     * the bus's {@code bus.deadletter} is written by the bus alone. Matched by {@link #CDC_DEADLETTERS_PATTERN}.
     */
    public static String cdcDeadLetters(String department, String runner) {
        return cdcPrefix(department) + checkRunner(runner) + ".deadletters";
    }

    /** CDC runner names: lower case letters, digits and '-', starting with a letter, no dots. */
    public static String checkRunner(String runner) {
        if (runner == null || !CDC_RUNNER.matcher(runner).matches()) {
            throw new IllegalArgumentException("CDC runner name '" + runner
                    + "' is invalid: use 2-48 characters, lower-case letters, digits and '-', starting with a letter");
        }
        return runner;
    }

    /** Parses {@code src.<dept>.<resource>}; empty when the name is not a source topic. */
    public static Optional<ResourceTopic> parseSource(String topic) {
        var m = SOURCE_PATTERN.matcher(topic);
        return m.matches() ? Optional.of(new ResourceTopic(m.group(1), m.group(2))) : Optional.empty();
    }

    /** Parses {@code dlv.<consumer>.<resource>}; empty when the name is not a delivery topic. */
    public static Optional<ResourceTopic> parseDelivery(String topic) {
        if (!topic.startsWith(DELIVERY_PREFIX)) {
            return Optional.empty();
        }
        return parseSource(SOURCE_PREFIX + topic.substring(DELIVERY_PREFIX.length()));
    }

    /**
     * The topic an expert of the expert committee sends commands on: {@code cmd.expert-<id>}. Department ids may not
     * start with {@code expert-} ({@link Principals#checkDepartmentId}), so the name says the sender is an expert; it
     * matches {@link #COMMAND_PATTERN} and governance reads it with the departments' command topics.
     */
    public static String expertCommands(String expertId) {
        return commands(Principals.expertPrincipal(expertId));
    }

    /** Where governance answers an expert: {@code reply.expert-<id>}. */
    public static String expertReplies(String expertId) {
        return replies(Principals.expertPrincipal(expertId));
    }

    /** Parses {@code cmd.<dept>} to the sending department; empty when the name is not a command topic. */
    public static Optional<String> parseCommandSender(String topic) {
        var m = COMMAND_PATTERN.matcher(topic);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    public static String checkDepartment(String department) {
        if (department == null || !DEPARTMENT_ID.matcher(department).matches()) {
            throw new IllegalArgumentException("department id '" + department
                    + "' is invalid: use 2-32 characters, lower-case letters, digits and '-', starting with a letter");
        }
        return department;
    }

    public static String checkResource(String resourceCode) {
        if (resourceCode == null || !RESOURCE_CODE.matcher(resourceCode).matches()) {
            throw new IllegalArgumentException("resource code '" + resourceCode
                    + "' is invalid: use 1-100 letters, digits, '-' and '_', starting with a letter or digit");
        }
        return resourceCode;
    }

    /**
     * District tiers: the city bus's source topic of a district resource shared upward. The district's router delivers
     * it to the city's department on the district bus ({@code dlv.<city>.<resource>}); MirrorMaker 2 carries it to
     * {@code src.<district>.<resource>} on the city bus, where the district is the providing department. Empty when
     * {@code districtTopic} is not a delivery topic of {@code cityDepartment}.
     */
    public static Optional<String> tierUpward(String cityDepartment, String district, String districtTopic) {
        return parseDelivery(districtTopic)
                .filter(t -> t.department().equals(cityDepartment))
                .map(t -> source(district, t.resourceCode()));
    }

    /**
     * District tiers: the district's delivery topic a city source topic {@code src.<district>.<resource>} is carried
     * from, {@code dlv.<cityDepartment>.<resource>}; empty when {@code cityTopic} is not a source topic.
     */
    public static Optional<String> tierDownstreamOrigin(String cityDepartment, String cityTopic) {
        return parseSource(cityTopic).map(t -> delivery(cityDepartment, t.resourceCode()));
    }

    /** A department and a resource code, as named by a {@code src.} or {@code dlv.} topic. */
    public record ResourceTopic(String department, String resourceCode) {
    }

    /** A topic the bus creates at start, with its configuration. */
    public record SystemTopic(String name, int partitions, Map<String, String> configs) {
    }

    private static final Map<String, String> COMPACTED = Map.of("cleanup.policy", "compact");

    private static final Map<String, String> RESOURCE = Map.of("cleanup.policy", "compact",
            "max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES));

    /**
     * Configs for a department's source and delivery topics: compacted, so the latest state per key stays replayable,
     * and records of at most {@link #MAX_MESSAGE_BYTES}.
     */
    public static Map<String, String> resourceTopicConfigs() {
        return RESOURCE;
    }

    /** Configs for a department's {@code cmd.<dept>} topic: commands of at most {@link #MAX_MESSAGE_BYTES}. */
    public static Map<String, String> commandTopicConfigs() {
        return Map.of("max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES));
    }

    /**
     * Configs of the exchange log: deletion by age only, after five years. Never compacted: the key is the exchange id,
     * so compaction would let a tombstone, or a second record with the same id, erase an entry for good.
     */
    public static Map<String, String> exchangeLogConfigs() {
        return Map.of("cleanup.policy", "delete",
                "retention.ms", Long.toString(FIVE_YEARS.toMillis()));
    }

    /** The topics the bus creates when it starts, with their declared configs. */
    public static List<SystemTopic> systemTopics(int partitions) {
        return List.of(
                new SystemTopic(CATALOG, 1, COMPACTED),
                new SystemTopic(GRANTS, 1, COMPACTED),
                new SystemTopic(CATALOG_HISTORY, 1, Map.of("cleanup.policy", "delete", "retention.ms", "-1")),
                new SystemTopic(OPEN_DOWNLOADS, 1, COMPACTED),
                new SystemTopic(REQUESTS, partitions, COMPACTED),
                new SystemTopic(DEPARTMENTS, 1, COMPACTED),
                new SystemTopic(AUDITORS, 1, COMPACTED),
                new SystemTopic(EXPERTS, 1, COMPACTED),
                new SystemTopic(CALENDARS, 1, COMPACTED),
                new SystemTopic(EXCHANGE_LOG, partitions, exchangeLogConfigs()),
                new SystemTopic(EXCHANGE_LOG_STAGING, partitions, Map.of(
                        "retention.ms", Long.toString(Duration.ofDays(7).toMillis()))),
                // every checkpoint is kept (not only the latest per partition): an auditor checks them all
                new SystemTopic(EXCHANGE_LOG_CHECKPOINTS, 1, Map.of(
                        "retention.ms", Long.toString(FIVE_YEARS.toMillis()))),
                new SystemTopic(VIOLATIONS, 1, COMPACTED),
                new SystemTopic(VIOLATION_ACTIONS, 1, Map.of(
                        "retention.ms", Long.toString(FIVE_YEARS.toMillis()))),
                // the bus's own command topic (the authority's commands, the deadlines app's MarkOverdue) and replies
                new SystemTopic(AUTHORITY_COMMANDS, 1, commandTopicConfigs()),
                new SystemTopic(AUTHORITY_REPLIES, 1, Map.of()),
                new SystemTopic(ERROR_REPORTS, partitions, COMPACTED),
                new SystemTopic(DISPUTES, 1, COMPACTED),
                new SystemTopic(CATALOG_NOTICES, 1, COMPACTED),
                new SystemTopic(PUBLIC_REQUESTS, 1, COMPACTED),
                new SystemTopic(COMMENTS, 1, COMPACTED),
                new SystemTopic(DEADLETTER, 1, Map.of(
                        "retention.ms", Long.toString(Duration.ofDays(365).toMillis()))),
                new SystemTopic(SCHEMAS, 1, COMPACTED),
                new SystemTopic(QUALITY, 1, COMPACTED));
    }
}
