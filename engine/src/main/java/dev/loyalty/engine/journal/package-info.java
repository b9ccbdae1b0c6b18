/**
 * The journal: the append-only source of truth (Chronicle Queue), its record format and the ingest clock. Appended
 * by the ingest path and the heartbeat; read by processors, replay, what-if and the id-index rebuild.
 *
 * <h2>Format 2 (issue 11)</h2>
 * One Chronicle document per record, header layout in {@link dev.loyalty.engine.journal.RecordHeader}: a format
 * tag (a format-1 journal is refused with {@link dev.loyalty.engine.journal.JournalFormatException}, whose message
 * names {@code bin/engine journal-upgrade}), a CRC32C of the whole record (checked before any reader hands the
 * record over; a mismatch is a {@link dev.loyalty.engine.journal.JournalCorruptException} naming the seq and
 * position), the seqs, times, and a partition mask with a check word. Payloads are as in format 1 and are decoded
 * in place from the mapped file.
 *
 * <h2>Each partition reads only its own records: a header mask, not a queue per partition</h2>
 * {@link dev.loyalty.engine.journal.Journal#reader(int, int)} hands a partition every record's header, but reads
 * (and checks) the payload only of records whose mask says they hold its events. Measured
 * ({@code bench/results/2026-12-06-journal-v2.txt}, CPU time per pass on a loaded 2-core machine): at 8
 * partitions this reader is no faster than format 1's read-everything loop (about 0.8-1.0M vs 1.0-1.3M own
 * events per CPU second for single-event records; CRC32C on the records it reads eats what the skip saves), while
 * a reader whose every record is its own reads 2.4-3.5M/s. So the remaining cost is Chronicle walking every
 * document, and only a queue per partition removes it: that is the way to the 1M events/s per
 * partition thread at 8 partitions.
 * <p>
 * The mask was taken now, knowingly, because a queue per partition changes what the rest of the engine relies
 * on, and could not be done safely in this step: a bulk spanning partitions becomes several appends that must be
 * all-or-nothing across a crash (a commit marker per bulk, or readers that hold back a bulk until complete);
 * RULES, CLOCK and heartbeat records must be appended to every queue under one lock to keep their order relative
 * to events; a position becomes per partition, so checkpoints (already per partition), backup manifests, journal
 * retention, what-if start points, the id-index checkpoint and {@code firstPosition}/{@code lastPosition} all
 * change meaning. The interface is ready for it: {@code reader(partition, partitions)} is what a Kafka journal
 * (one topic partition per engine partition) or a queue per partition implements, and the default method (read
 * everything) is always correct because processors still pick their events by hash inside a record.
 */
package dev.loyalty.engine.journal;
