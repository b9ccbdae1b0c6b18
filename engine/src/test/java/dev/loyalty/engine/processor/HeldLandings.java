package dev.loyalty.engine.processor;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Test helpers for landings a latch holds back: the committer waits on it, a test releases it. */
final class HeldLandings {

    private HeldLandings() {
    }

    /** Releases {@code release} once {@code t} waits (for the landing the latch holds back). */
    static Thread releaseOnceWaiting(Thread t, CountDownLatch release) {
        Thread releaser = new Thread(() -> {
            while (t.getState() != Thread.State.WAITING && release.getCount() > 0) {
                LockSupport.parkNanos(100_000);
            }
            release.countDown();
        }, "releaser");
        releaser.setDaemon(true);
        releaser.start();
        return releaser;
    }

    /** Waits for {@code latch} (a landing held back), failing after 30 s rather than hanging. */
    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("landing never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
