package cn.tianfu.databus.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConsolePagesTest {

    private static final ConsolePages.Page NOTHING = r -> {
    };

    @Test
    void aPathThatAnEarlierPatternAlreadyMatchesIsRefused() {
        ConsolePages pages = new ConsolePages().get("/reports/{id}", NOTHING);
        assertThatThrownBy(() -> pages.get("/reports/mine", NOTHING))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/reports/mine").hasMessageContaining("/reports/{id}");
        assertThatThrownBy(() -> pages.get("/reports/{other}", NOTHING)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLiteralBeforeAPatternOtherMethodsAndOtherLengthsStandSideBySide() {
        ConsolePages pages = new ConsolePages()
                .get("/reports/incoming", NOTHING)
                .get("/reports/{id}", NOTHING)
                .post("/reports/mine", NOTHING)
                .get("/reports/{id}/answer", NOTHING);
        assertThat(pages.routes()).hasSize(4);
    }

    @Test
    void everyFeatureOfTheConsoleRegistersWithoutAShadowedRoute() {
        ConsolePages pages = new ConsolePages();
        Console.FEATURES.forEach(f -> f.register(pages));
        assertThat(pages.routes()).extracting(ConsolePages.Route::path).contains("/reports/mine", "/reports/incoming/{id}");
    }
}
