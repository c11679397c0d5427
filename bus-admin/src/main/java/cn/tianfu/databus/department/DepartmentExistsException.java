package cn.tianfu.databus.department;

import cn.tianfu.databus.DatabusException;

/** A department with this id is already known to the bus. */
public final class DepartmentExistsException extends DatabusException {

    public DepartmentExistsException(String id, String name) {
        super("department " + id + " (" + name + ") already exists; 'databus dept list' shows every department");
    }
}
