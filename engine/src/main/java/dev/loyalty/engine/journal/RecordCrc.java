package dev.loyalty.engine.journal;

import net.openhft.chronicle.bytes.Bytes;

import java.util.zip.CRC32C;

/**
 * CRC32C of a record in place: its tag byte and everything after the CRC field. One per appender or reader
 * (single-threaded). java.util.zip.CRC32C cannot read Chronicle's mapped memory without a ByteBuffer per record,
 * so the bytes pass through a reused scratch array (a memcpy, then the intrinsic): no allocation per record.
 */
final class RecordCrc {
    private final CRC32C crc = new CRC32C();
    private byte[] scratch = new byte[4096];

    /** CRC of the record occupying {@code [start, end)} of {@code b} (absolute offsets). */
    int of(Bytes<?> b, long start, long end) {
        crc.reset();
        crc.update(b.readByte(start));
        long from = start + RecordHeader.CRC_END;
        int len = (int) (end - from);
        if (len > scratch.length) {
            scratch = new byte[Math.max(len, scratch.length * 2)];
        }
        b.read(from, scratch, 0, len);
        crc.update(scratch, 0, len);
        return (int) crc.getValue();
    }
}
