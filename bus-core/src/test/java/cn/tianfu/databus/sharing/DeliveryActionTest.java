package cn.tianfu.databus.sharing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DeliveryActionTest {

    /** Every one of the 16 combinations: previouslyReceived, oldPasses, newPasses, delete → action. */
    static Stream<Arguments> truthTable() {
        return Stream.of(
                // upserts
                Arguments.of(false, false, false, false, DeliveryAction.SKIP),
                Arguments.of(false, false, true, false, DeliveryAction.DELIVER),
                Arguments.of(false, true, false, false, DeliveryAction.SKIP),
                Arguments.of(false, true, true, false, DeliveryAction.DELIVER),
                Arguments.of(true, false, false, false, DeliveryAction.SKIP),
                Arguments.of(true, false, true, false, DeliveryAction.DELIVER),
                Arguments.of(true, true, false, false, DeliveryAction.RETRACT),
                Arguments.of(true, true, true, false, DeliveryAction.DELIVER),
                // deletes
                Arguments.of(false, false, false, true, DeliveryAction.SKIP),
                Arguments.of(false, false, true, true, DeliveryAction.SKIP),
                Arguments.of(false, true, false, true, DeliveryAction.SKIP),
                Arguments.of(false, true, true, true, DeliveryAction.SKIP),
                Arguments.of(true, false, false, true, DeliveryAction.SKIP),
                Arguments.of(true, false, true, true, DeliveryAction.SKIP),
                Arguments.of(true, true, false, true, DeliveryAction.DELETE),
                Arguments.of(true, true, true, true, DeliveryAction.DELETE));
    }

    @ParameterizedTest(name = "received={0} oldPasses={1} newPasses={2} delete={3} -> {4}")
    @MethodSource("truthTable")
    void decides(boolean received, boolean oldPasses, boolean newPasses, boolean delete, DeliveryAction expected) {
        DeliveryAction action = DeliveryAction.decide(received, oldPasses, newPasses, delete);
        assertThat(action).isEqualTo(expected);
        assertThat(action.tombstone()).isEqualTo(expected == DeliveryAction.DELETE
                || expected == DeliveryAction.RETRACT);
        assertThat(action.sends()).isEqualTo(expected != DeliveryAction.SKIP);
        // a tombstone only ever goes to a consumer holding the key
        if (action.tombstone()) {
            assertThat(received && oldPasses).isTrue();
        }
    }
}
