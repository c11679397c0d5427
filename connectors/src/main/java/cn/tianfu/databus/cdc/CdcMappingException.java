package cn.tianfu.databus.cdc;

import java.util.List;

import cn.tianfu.databus.config.FileProblemsException;

/**
 * A CDC mapping with problems — in the file itself, against the catalogued resource's schema, or against the
 * database. {@link #problems()} lists every one found, each with its line where it has one, so all can be fixed in one
 * pass. Nothing streams while a mapping has problems.
 */
public class CdcMappingException extends FileProblemsException {

    public CdcMappingException(String source, List<Problem> problems) {
        super(source, "CDC mapping", problems);
    }
}
