package dev.loyalty.engine.journal;

import dev.loyalty.engine.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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

    /** A free-space reading the test sets, remembering which threads read it and when. */
    private static final class FakeSpace implements DiskSpaceGuard.FreeSpace {
        final AtomicLong usable = new AtomicLong(1L << 40);
        final Set<Thread> readers = ConcurrentHashMap.newKeySet();
        final List<Long> readAtNs = new CopyOnWriteArrayList<>();

        @Override
        public long usableBytes() {
            readers.add(Thread.currentThread());
            readAtNs.add(System.nanoTime());
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
    void shouldReadTheFileSystemAFewTimesASecondWhenFarAboveTheMinimum() {
        FakeSpace space = new FakeSpace(); // 1 TiB free against 256 MiB
        try (DiskSpaceGuard guard = DiskSpaceGuard.watching(space, dir, MIN)) {
            Eventually.until("three timer readings", Duration.ofSeconds(20), () -> space.readAtNs.size() >= 4);
            List<Long> at = List.copyOf(space.readAtNs);
            for (int i = 1; i < at.size(); i++) {
                // Scheduled MAX_REFRESH_NS apart: a busy machine can only make the gaps longer.
                assertThat(at.get(i) - at.get(i - 1)).as("gap before reading %d", i)
                        .isGreaterThanOrEqualTo(DiskSpaceGuard.MAX_REFRESH_NS - 1_000_000L);
            }
            guard.check();
        }
    }

    @Test
    void shouldReadSoonerTheLessRoomIsLeft() {
        assertThat(DiskSpaceGuard.nextRefreshNs(MIN - 1, MIN)).isEqualTo(DiskSpaceGuard.REFRESH_NS);
        assertThat(DiskSpaceGuard.nextRefreshNs(MIN + (1L << 20), MIN)).isEqualTo(DiskSpaceGuard.REFRESH_NS);
        assertThat(DiskSpaceGuard.nextRefreshNs(MIN + (1L << 40), MIN)).isEqualTo(DiskSpaceGuard.MAX_REFRESH_NS);
        assertThat(DiskSpaceGuard.nextRefreshNs(Long.MAX_VALUE, 0)).isEqualTo(DiskSpaceGuard.MAX_REFRESH_NS);
        // In between, the time appends at the assumed top rate need to use up the room: 256 MiB at 2 GiB/s.
        assertThat(DiskSpaceGuard.nextRefreshNs(MIN + (256L << 20), MIN)).isBetween(124_000_000L, 126_000_000L);
    }

    @Test
    void shouldStopReadingOnceClosed() {
        FakeSpace space = new FakeSpace();
        space.usable.set(MIN - 1); // read every REFRESH_NS
        DiskSpaceGuard guard = DiskSpaceGuard.watching(space, dir, MIN);
        Eventually.until("timer readings", Duration.ofSeconds(20), () -> space.readAtNs.size() >= 3);
        guard.close();
        int afterClose = space.readAtNs.size() + 1; // a reading under way at the close may still land
        long deadlineNs = System.nanoTime() + 20 * DiskSpaceGuard.REFRESH_NS;
        Eventually.until("twenty refresh intervals", Duration.ofSeconds(20), () -> System.nanoTime() > deadlineNs);
        assertThat(space.readAtNs.size()).isLessThanOrEqualTo(afterClose);
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
