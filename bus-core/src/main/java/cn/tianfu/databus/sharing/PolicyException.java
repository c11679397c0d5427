package cn.tianfu.databus.sharing;

import cn.tianfu.databus.DatabusException;

/**
 * A grant's conditions cannot be applied to a resource: an unknown field, a key field left out of a projection, a mask
 * that does not fit the field's type. Raised when a plan is built, never per record.
 */
public class PolicyException extends DatabusException {

    public PolicyException(String message) {
        super(message);
    }

    public PolicyException(String message, Throwable cause) {
        super(message, cause);
    }
}
