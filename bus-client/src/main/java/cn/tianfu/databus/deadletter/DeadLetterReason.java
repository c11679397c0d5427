package cn.tianfu.databus.deadletter;

/** Why the bus rejected an input. The code is what {@code bus.deadletter} carries and what operators filter on. */
public enum DeadLetterReason {
    /** The bytes are not in the registry's wire format or do not decode with their schema. */
    MALFORMED_BYTES,
    /** The schema id in the bytes is unknown to the registry. */
    UNKNOWN_SCHEMA,
    /** The record's schema does not match the catalogued schema of the resource. */
    SCHEMA_MISMATCH,
    /** A source event came from a department that is not the catalogued provider of the resource. */
    NOT_THE_PROVIDER,
    /** A source event for a resource that is not in the catalog, or is retired. */
    UNKNOWN_RESOURCE,
    /** A governance command that could not be read or is structurally invalid (rules refusals go to the reply instead). */
    INVALID_COMMAND,
    /** A record without the key the bus needs. */
    MISSING_KEY,
    /** An incompatible schema change captured from a department database. */
    INCOMPATIBLE_SCHEMA_CHANGE,
    /** A record larger uncompressed than the bus accepts ({@code RecordLimits.MAX_RECORD_BYTES}). */
    RECORD_TOO_LARGE,
    /** A record the app failed on repeatedly (its thread died on it each time); skipped so the app goes on. */
    REPEATED_FAILURE,
    /**
     * A record of a topic that matches {@code src.<dept>.<resource>} but that governance did not create (the resource
     * is not in the catalog); only the first record of such a topic is dead-lettered, the rest are skipped.
     */
    UNKNOWN_SOURCE_TOPIC,
    /** A grant's row filter went over its evaluation cost limit on a record; the record is not delivered under it. */
    ROW_FILTER_LIMIT,
    /** A service-exchange request over its grant's rate limit or daily volume; refused with HTTP 429 (docs/service.md). */
    RATE_LIMITED,
    /** Anything else; the message says what. */
    PROCESSING_ERROR
}
