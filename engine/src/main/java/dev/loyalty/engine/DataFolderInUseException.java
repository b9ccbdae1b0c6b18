package dev.loyalty.engine;

import java.nio.file.Path;

/**
 * Another process (or another engine in this one) holds the data folder: a running {@code serve}, an
 * {@code import}, a {@code backup}... Two writers would corrupt the state, so the second one is refused.
 */
public final class DataFolderInUseException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public DataFolderInUseException(Path folder, String holder) {
        super("the data folder " + folder.toAbsolutePath().normalize() + " is in use"
                + (holder == null || holder.isBlank() ? "" : " by " + holder)
                + "; stop that process first (only one engine process may use a data folder at a time)");
    }
}
