package dev.loyalty.engine.idempotency;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Shard locks: a try of every shard takes all of them or none, and never waits while holding some. */
@Timeout(30)
class IdLocksTest {

    /** Holds the shards of {@code mask} on its own thread until released. */
    private static final class Holder implements AutoCloseable {
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CompletableFuture<Void> done;

        Holder(IdLocks locks, long mask) throws InterruptedException {
            done = CompletableFuture.runAsync(() -> {
                locks.lock(mask);
                try {
                    held.countDown();
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    locks.unlock(mask);
                }
            });
            assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        }

        @Override
        public void close() throws Exception {
            release.countDown();
            done.get(10, TimeUnit.SECONDS);
        }
    }

    private static boolean triedElsewhere(IdLocks locks, long mask) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            boolean took = locks.tryLock(mask);
            if (took) {
                locks.unlock(mask);
            }
            return took;
        }).get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldTakeNoShardWhenOneIsHeldElsewhere() throws Exception {
        IdLocks locks = new IdLocks();
        try (Holder h = new Holder(locks, 1L << 37)) {
            assertThat(locks.tryLock(IdLocks.ALL)).isFalse();
            // The shards below the held one were taken on the way and must have been given back.
            assertThat(triedElsewhere(locks, (1L << 37) - 1)).isTrue();
            assertThat(triedElsewhere(locks, 1L << 63)).isTrue();
        }
        assertThat(locks.tryLock(IdLocks.ALL)).isTrue();
        assertThat(triedElsewhere(locks, 1L)).isFalse();
        assertThat(triedElsewhere(locks, 1L << 63)).isFalse();
        locks.unlock(IdLocks.ALL);
        assertThat(triedElsewhere(locks, IdLocks.ALL)).isTrue();
    }
}
