package cn.tianfu.databus.testkit;

import java.nio.file.Path;

/** The parts of CDC mapping files that tests repeat. */
public final class TestMappings {

    private TestMappings() {
    }

    /**
     * The head of a mapping of a PostgreSQL database {@code hukou} on this machine, read as user {@code cdc} with the
     * password in {@code passwordFile}, timestamps without zone in Asia/Shanghai — up to and including
     * {@code tables:}; the table entries follow, indented by two spaces.
     */
    public static String postgresHead(String department, String runner, int port, Path passwordFile) {
        return """
                department: %s
                runner: %s
                database:
                  kind: postgres
                  host: localhost
                  port: %d
                  database: hukou
                  user: cdc
                  password: ${file:%s}
                timeZone: Asia/Shanghai
                tables:
                """.formatted(department, runner, port, passwordFile);
    }
}
