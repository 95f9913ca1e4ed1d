package dev.duet.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One synthetic {@link MediaEngine} for a test class that makes calls: before the class, the
 * network gate ({@link NetworkCheck}) and the engine; after it, the engine closed, with every call
 * it still had. Register it as {@code @RegisterExtension static final SyntheticEngine engine = new SyntheticEngine();}.
 */
final class SyntheticEngine implements BeforeAllCallback, AfterAllCallback {
    private MediaEngine engine;

    @Override
    public void beforeAll(ExtensionContext context) {
        NetworkCheck.requireUsableInterface();
        engine = MediaEngine.synthetic();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (engine != null) {
            engine.close();
            assertThat(engine.openCalls()).as("calls left open once the engine is closed").isZero();
            engine = null;
        }
    }

    /** The class's engine (from its first test to its end). */
    MediaEngine get() {
        if (engine == null) {
            throw new IllegalStateException("the engine exists only while the test class runs");
        }
        return engine;
    }
}
