package dev.loyalty.api.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A size-limited file system for fault tests: a tmpfs mounted on a test folder ({@code mount -t tmpfs}, which
 * needs root, as CI has). {@link #mount} answers null where mounting is not permitted, so that tests can skip
 * with a clear reason.
 */
final class Tmpfs implements AutoCloseable {
    private final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code megabytes} on {@code dir} (created); null when this machine does not allow it. */
    static Tmpfs mount(Path dir, int megabytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        if (run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", dir.toString()) != 0) {
            return null;
        }
        return new Tmpfs(dir);
    }

    /** Changes the size while mounted (space "returns" or is taken away). */
    void resize(int megabytes) throws IOException, InterruptedException {
        if (run("mount", "-o", "remount,size=" + megabytes + "m", dir.toString()) != 0) {
            throw new IllegalStateException("cannot resize the tmpfs on " + dir);
        }
    }

    long usableBytes() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    @Override
    public void close() throws IOException {
        try {
            run("umount", "-l", dir.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
