package dev.loyalty.engine.state;

import java.nio.charset.StandardCharsets;

/**
 * Key layout of a partition's RocksDB. One byte of prefix per kind; numbers big-endian so that byte order
 * is numeric order; customer ids cannot contain NUL, so NUL separates an id from what follows.
 * <pre>
 *   C id                      customer state
 *   L id NUL entryId(8)       ledger entry
 *   O seq(8)                  stored outcome of an event
 *   D due(8) id               due-work index: customer has work due at that time (written by commits,
 *                             read once at start to fill the in-memory due queue)
 *   S day(8)                  statistics: active customers whose last activity is on that day
 *   E account(4) day(8)       statistics: points of lots of that account index expiring on that UTC day
 *   M name                    metadata: checkpoint, statistics scalars, rules in force, outcome marks
 * </pre>
 */
public final class Keys {
    public static final byte CUSTOMER = 'C';
    public static final byte LEDGER = 'L';
    public static final byte OUTCOME = 'O';
    public static final byte DUE = 'D';
    public static final byte DAY = 'S';
    public static final byte EXPIRING = 'E';
    public static final byte META = 'M';

    private Keys() {
    }

    public static byte[] customer(String id) {
        byte[] s = id.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[1 + s.length];
        k[0] = CUSTOMER;
        System.arraycopy(s, 0, k, 1, s.length);
        return k;
    }

    public static byte[] ledgerPrefix(String id) {
        byte[] s = id.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[2 + s.length];
        k[0] = LEDGER;
        System.arraycopy(s, 0, k, 1, s.length);
        k[k.length - 1] = 0;
        return k;
    }

    public static byte[] ledger(String id, long entryId) {
        byte[] p = ledgerPrefix(id);
        byte[] k = new byte[p.length + 8];
        System.arraycopy(p, 0, k, 0, p.length);
        putLong(k, p.length, entryId);
        return k;
    }

    public static long ledgerEntryId(byte[] key) {
        return getLong(key, key.length - 8);
    }

    public static byte[] outcome(long seq) {
        byte[] k = new byte[9];
        k[0] = OUTCOME;
        putLong(k, 1, seq);
        return k;
    }

    public static byte[] due(long dueMs, String id) {
        byte[] s = id.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[9 + s.length];
        k[0] = DUE;
        putLong(k, 1, dueMs);
        System.arraycopy(s, 0, k, 9, s.length);
        return k;
    }

    public static long dueTime(byte[] key) {
        return getLong(key, 1);
    }

    public static String dueCustomer(byte[] key) {
        return new String(key, 9, key.length - 9, StandardCharsets.UTF_8);
    }

    public static byte[] day(long day) {
        byte[] k = new byte[9];
        k[0] = DAY;
        putLong(k, 1, day);
        return k;
    }

    public static byte[] expiring(int account, long day) {
        byte[] k = new byte[13];
        k[0] = EXPIRING;
        k[1] = (byte) (account >>> 24);
        k[2] = (byte) (account >>> 16);
        k[3] = (byte) (account >>> 8);
        k[4] = (byte) account;
        putLong(k, 5, day);
        return k;
    }

    public static int expiringAccount(byte[] key) {
        return ((key[1] & 0xff) << 24) | ((key[2] & 0xff) << 16) | ((key[3] & 0xff) << 8) | (key[4] & 0xff);
    }

    public static long expiringDay(byte[] key) {
        return getLong(key, 5);
    }

    public static byte[] meta(String name) {
        byte[] s = name.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[1 + s.length];
        k[0] = META;
        System.arraycopy(s, 0, k, 1, s.length);
        return k;
    }

    /** Big-endian with the sign bit flipped, so that negative times sort before positive ones. */
    static void putLong(byte[] b, int at, long v) {
        long x = v ^ Long.MIN_VALUE;
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) x;
            x >>>= 8;
        }
    }

    static long getLong(byte[] b, int at) {
        long x = 0;
        for (int i = 0; i < 8; i++) {
            x = (x << 8) | (b[at + i] & 0xff);
        }
        return x ^ Long.MIN_VALUE;
    }
}
