package dev.loyalty.engine.testing;

import dev.loyalty.engine.LoyaltyEngine;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ThrowingRunnable;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * The one way tests wait: poll a condition (Awaitility) until it holds or a deadline passes, then fail
 * with what was awaited. Never sleep-then-assert; never an unbounded loop. Exceptions the condition
 * throws (an assertion on an intermediate answer) fail the wait at once.
 */
public final class Eventually {

    /** Long enough for a JVM start on a 2-core machine shared by several builds (load 20+ seen); short enough that a hang fails the build. */
    public static final Duration START = Duration.ofSeconds(120);

    private static final Duration POLL = Duration.ofMillis(10);

    private Eventually() {
    }

    /** Waits until {@code condition} returns true, at most {@code atMost}. */
    public static void until(String what, Duration atMost, Callable<Boolean> condition) {
        await(what, atMost).until(condition);
    }

    /**
     * Waits until {@code condition} returns true; {@code abortIf} is checked on every poll and fails the
     * wait at once with its own message (a process that exited will never become ready).
     */
    public static void until(String what, Duration atMost, Callable<Boolean> condition, ThrowingRunnable abortIf) {
        await(what, atMost).failFast(what + ": gave up", abortIf).until(condition);
    }

    /** Polls {@code value} until {@code done} accepts it; returns that value. */
    public static <T> T until(String what, Duration atMost, Callable<T> value, Predicate<? super T> done) {
        return await(what, atMost).until(value, done::test);
    }

    /** Waits until the engine's processors have caught up with the journal (its readiness). */
    public static <E extends LoyaltyEngine> E ready(E engine) {
        until("engine ready", START, engine::ready);
        return engine;
    }

    private static ConditionFactory await(String what, Duration atMost) {
        // Polls at once and then often: these are cheap local checks and a test should not idle.
        return Awaitility.await(what).atMost(atMost).pollDelay(Duration.ZERO).pollInterval(POLL);
    }
}
