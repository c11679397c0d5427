package cn.tianfu.databus.governance.rules;

import org.apache.avro.Schema;

/** What the schema registry answered to {@link Decision.FetchSchema}. */
public sealed interface SchemaFetch {

    /** The registered schema. */
    record Found(Schema schema) implements SchemaFetch {
    }

    /** The registry refused (the schema is invalid or incompatible), with its message. */
    record Refused(String message) implements SchemaFetch {
    }
}
