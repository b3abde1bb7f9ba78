package dev.weft.testkit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What a test class extends to get a new fixture {@link #f} for each test, closed after it. A
 * module's fixture says how one is made ({@link #open}) in a subclass of this, which its tests
 * extend. A test class's own {@code @BeforeEach} methods run once the fixture is there and its
 * {@code @AfterEach} methods before it is closed; {@link KernelTest}'s leak check runs around all
 * of them, so it sees whatever the fixture leaves behind.
 *
 * @param <F> the fixture
 */
public abstract class PerTestFixture<F extends AutoCloseable> {
    /** The fixture of the test that runs now. */
    protected F f;

    /** Makes the fixture for one test. */
    protected abstract F open() throws Exception;

    @BeforeEach
    protected final void openFixture() throws Exception {
        f = open();
    }

    @AfterEach
    protected final void closeFixture() throws Exception {
        f.close();
    }
}
