package dev.weft.itests.karaf;

import org.junit.runner.Description;
import org.junit.runner.Runner;
import org.junit.runner.manipulation.Filter;
import org.junit.runner.manipulation.Filterable;
import org.junit.runner.manipulation.NoTestsRemainException;
import org.junit.runner.manipulation.Sortable;
import org.junit.runner.manipulation.Sorter;
import org.junit.runner.notification.Failure;
import org.junit.runner.notification.RunNotifier;
import org.junit.runners.model.InitializationError;
import org.ops4j.pax.exam.junit.PaxExam;

/**
 * Pax Exam's runner with the {@link KarafWorld} around the container: the world is made when
 * Pax Exam reads the configuration (in this runner's constructor, before the container starts)
 * and removed once the class's container has stopped (reactor strategy PerClass), also when a
 * test failed or the container never came up. A failed cleanup is reported as a failure of the
 * class.
 *
 * <p>Why not {@code @BeforeClass}/{@code @AfterClass}: with a forked container Pax Exam runs them
 * inside the container, around each test method, and never in the test JVM.
 */
public final class WeftKaraf extends Runner implements Filterable, Sortable {
    private final PaxExam exam;

    public WeftKaraf(Class<?> testClass) throws InitializationError {
        try {
            exam = new PaxExam(testClass);
        } catch (InitializationError | RuntimeException | Error e) {
            try {
                KarafWorld.closeCurrent();
            } catch (RuntimeException | Error cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    @Override
    public Description getDescription() {
        return exam.getDescription();
    }

    @Override
    public void run(RunNotifier notifier) {
        try {
            exam.run(notifier);
        } finally {
            try {
                KarafWorld.closeCurrent();
            } catch (RuntimeException | Error e) {
                notifier.fireTestFailure(new Failure(getDescription(), e));
            }
        }
    }

    @Override
    public void filter(Filter filter) throws NoTestsRemainException {
        exam.filter(filter);
    }

    @Override
    public void sort(Sorter sorter) {
        exam.sort(sorter);
    }
}
