package cn.tianfu.databus.sharing;

import java.util.Locale;

/** How sensitive a resource field is, as declared by the {@code "sensitivity"} property of its Avro field. */
public enum Sensitivity {
    /** May be published as open data. */
    PUBLIC,
    /** Shared between departments under a grant, not published. */
    INTERNAL,
    /** Identifies or describes a person: masked unless the grant allows it in clear. */
    PERSONAL;

    /** Name of the Avro field property carrying the sensitivity. */
    public static final String PROPERTY = "sensitivity";

    /**
     * Parses a property value (case-insensitive); a missing property means {@link #INTERNAL}.
     *
     * @throws PolicyException when the value is not one of the constants
     */
    public static Sensitivity fromProperty(String fieldName, String value) {
        if (value == null) {
            return INTERNAL;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new PolicyException("Field '" + fieldName + "' declares sensitivity '" + value
                    + "'; use one of PUBLIC, INTERNAL, PERSONAL");
        }
    }
}
