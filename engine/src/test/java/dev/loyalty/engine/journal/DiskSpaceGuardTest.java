package dev.loyalty.engine.journal;

import dev.loyalty.engine.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The free-space guard: refuses below the minimum and accepts again once space returns, with the file system
 * read by its timer thread, never by the appending thread (an HTTP event loop in the program).
 */
@Timeout(60)
class DiskSpaceGuardTest {
    private static final long MIN = 256L << 20;

    @TempDir
    Path dir;

    /** A free-space reading the test sets, remembering which threads read it. */
    private static final class FakeSpace implements DiskSpaceGuard.FreeSpace {
        final AtomicLong usable = new AtomicLong(1L << 40);
        final Set<Thread> readers = ConcurrentHashMap.newKeySet();

        @Override
        public long usableBytes() {
            readers.add(Thread.currentThread());
            return usable.get();
        }
    }

    private static boolean accepts(DiskSpaceGuard guard) {
        try {
            guard.check();
            return true;
        } catch (JournalUnavailableException refused) {
            return false;
        }
    }

    @Test
    void shouldRefuseBelowTheMinimumAndAcceptOnceSpaceReturnsWithoutReadingOnTheCheckingThread() {
        FakeSpace space = new FakeSpace();
        try (DiskSpaceGuard guard = DiskSpaceGuard.watching(space, dir, MIN)) {
            space.readers.clear(); // the first reading is the opening thread's, by design
            guard.check();

            space.usable.set(MIN - 1);
            Eventually.until("appends refused", Duration.ofSeconds(10), () -> !accepts(guard));
            assertThatThrownBy(guard::check).isInstanceOf(JournalUnavailableException.class)
                    .hasMessageContaining("journal.min-free");

            space.usable.set(MIN);
            Eventually.until("appends accepted again", Duration.ofSeconds(10), () -> accepts(guard));
            for (int i = 0; i < 100_000; i++) {
                guard.check();
            }
            assertThat(space.readers).as("threads that read the file system").doesNotContain(Thread.currentThread())
                    .isNotEmpty();
        }
    }

    @Test
    void shouldNeverRefuseWhenOff() {
        try (DiskSpaceGuard guard = DiskSpaceGuard.of(dir, 0)) {
            guard.check();
        }
        try (DiskSpaceGuard guard = DiskSpaceGuard.off(dir)) {
            guard.check();
        }
    }
}
