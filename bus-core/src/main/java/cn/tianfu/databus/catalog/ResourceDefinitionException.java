package cn.tianfu.databus.catalog;

import java.util.List;

import cn.tianfu.databus.config.FileProblemsException;

/**
 * A resource definition file with problems; {@link #problems()} lists every one found, each with its line, so the
 * provider can fix them all in one pass.
 */
public class ResourceDefinitionException extends FileProblemsException {

    public ResourceDefinitionException(String source, List<Problem> problems) {
        super(source, "resource definition", problems);
    }
}
