package dev.loyalty.api;

import org.slf4j.LoggerFactory;

/**
 * Loads RocksDB's native library and initialises Chronicle's runtime on a side thread while the main thread
 * parses the command line, sets up logging and reads the configuration (one core idle there). Both were on the
 * start's critical path: Chronicle's static start (jnr-ffi and jffi, affinity, process handles) is most of the
 * journal open, RocksDB's library load (a 15 MB library unpacked from its jar) most of the first store's open.
 * Class initialisation is once per class and thread-safe: the engine's open waits for what is still running here
 * instead of doing it again.
 */
final class NativeWarmUp {
    /** The class whose static start is Chronicle's runtime start (Jvm's initialiser pulls the rest in). */
    static final String CHRONICLE_RUNTIME = "net.openhft.chronicle.core.Jvm";

    private static volatile Throwable failure;

    private NativeWarmUp() {
    }

    /** True for the commands that open an engine at once, where the warm-up pays: {@code serve}. */
    static boolean wanted(String[] args) {
        return args.length > 0 && "serve".equals(args[0]);
    }

    /** Starts the warm-up thread (a daemon: a command that ends first does not wait for it). */
    static Thread start() {
        Thread t = new Thread(NativeWarmUp::run, "native-warm-up");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** What the warm-up failed with, or null (tests; the engine's open then fails itself, on its own thread). */
    static Throwable failure() {
        return failure;
    }

    private static void run() {
        try {
            org.rocksdb.RocksDB.loadLibrary();
            Class.forName(CHRONICLE_RUNTIME, true, NativeWarmUp.class.getClassLoader());
        } catch (Throwable e) { // an initialiser's error too: the open that needs the class then reports it
            failure = e;
            LoggerFactory.getLogger(NativeWarmUp.class).warn("native warm-up failed (the engine's open will retry "
                    + "or report it): {}", e.toString());
        }
    }
}
