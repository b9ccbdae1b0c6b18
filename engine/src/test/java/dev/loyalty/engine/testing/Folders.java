package dev.loyalty.engine.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Digests of folder trees in tests, to prove a folder was only read ({@code Backup.copyTree} copies one). */
public final class Folders {

    private Folders() {
    }

    /** SHA-256 of every regular file below {@code root}, by relative path (folders themselves not listed). */
    public static Map<String, String> fileDigests(Path root) throws IOException {
        return digests(root, false);
    }

    /** As {@link #fileDigests}, plus every folder (as {@code "path/" -> "folder"}), so an added empty folder shows. */
    public static Map<String, String> treeDigests(Path root) throws IOException {
        return digests(root, true);
    }

    private static Map<String, String> digests(Path root, boolean folders) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    out.put(root.relativize(f).toString(), HexFormat.of().formatHex(sha.digest(Files.readAllBytes(f))));
                } else if (folders && Files.isDirectory(f)) {
                    out.put(root.relativize(f) + "/", "folder");
                }
            }
        }
        return out;
    }
}
