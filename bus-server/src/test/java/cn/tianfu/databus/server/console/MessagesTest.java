package cn.tianfu.databus.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/** The console's two bundles: the same keys, read as UTF-8, Chinese by default. */
class MessagesTest {

    @Test
    void bothLanguagesHaveTheSameKeys() throws IOException {
        assertThat(load("zh").stringPropertyNames()).isEqualTo(load("en").stringPropertyNames());
    }

    @Test
    void chineseIsTheDefaultAndEnglishIsSwitchedTo() {
        assertThat(Messages.of(null).language()).isEqualTo("zh");
        assertThat(Messages.of("fr").get("login.submit")).isEqualTo("登录");
        assertThat(Messages.of("en").get("login.submit")).isEqualTo("Sign in");
        assertThat(Messages.of("zh").get("login.throttled", "5")).isEqualTo("登录失败次数过多，请在 5 秒后重试。");
        assertThat(Messages.of("en").get("no.such.key")).isEqualTo("no.such.key");
    }

    @Test
    void textIsEscapedForHtml() {
        assertThat(Html.esc("<script>\"a\" & 'b'</script>")).isEqualTo("&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;");
        assertThat(Html.esc(null)).isEmpty();
    }

    private static Properties load(String lang) throws IOException {
        Properties p = new Properties();
        try (InputStream in = MessagesTest.class.getClassLoader().getResourceAsStream("console/console_" + lang + ".properties")) {
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return p;
    }
}
