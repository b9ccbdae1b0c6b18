/**
 * Derived logs of a partition ({@link dev.loyalty.engine.derived.DerivedLog}): event outcomes and ledger entries,
 * written once, sequentially, and reproduced byte for byte by a replay (architecture.md, properties 2, 8, 9).
 * Owned by the partition thread: it appends while applying and answers {@code GET /events/{seq}} and ledger
 * pages from it between batches (queries already run on that thread); no other thread may touch it.
 *
 * <h2>Layout</h2>
 * {@code <partition state dir>/derived/outcomes/} and {@code .../ledger/}: segment files named by the logical
 * position (bytes since the log's start) of their first byte, 20 digits; each record is a 4-byte length and a
 * body (little-endian). A record that would take a segment past its size starts the next segment, so where
 * files split depends only on the records: the same appends give the same files. Outcomes and ledger entries
 * live in separate logs because their lifetimes differ: outcomes are dropped by whole segments after
 * {@code outcomes.retention}, ledger entries are kept forever, and separate logs need no compaction.
 * <ul>
 *   <li>outcome record: seq, ingest time, the outcome bytes ({@code OutcomeCodec}). Seqs increase. A sparse
 *       index in memory (first record of each segment, then one record every 16 KiB) turns
 *       {@code outcome(seq)} into a binary search and one read of at most ~16 KiB; sealed segments keep their
 *       index entries and latest ingest time in {@code <start>.idx}, so a start reads only the last segment.</li>
 *   <li>ledger record: the position of the same customer's previous record ({@code -1} for its first), entry
 *       id, seq, customer id, the entry bytes. The caller keeps each customer's head (the position of its
 *       newest record); a page walks the chain from the head, newest first, without scanning anyone
 *       else's entries. A page far back ({@code before} deep in the history) walks the entries newer than it,
 *       unless the caller passes the previous page's {@code nextPosition} (worth a small cache for clients that
 *       page through a long history in order).</li>
 * </ul>
 *
 * <h2>Crash protocol (with write-behind snapshots)</h2>
 * <ol>
 *   <li>While applying: {@code appendOutcome} per event, {@code appendLedger(head, ...)} per entry, and the
 *       returned position becomes the customer's new head in its in-memory state.</li>
 *   <li>Snapshot commit: call {@link dev.loyalty.engine.derived.DerivedLog#mark()} (writes the staged records to
 *       the files: they then survive a process crash) and put {@code mark().encode()} in the same RocksDB write
 *       as the snapshot, its journal position and the customers (with their heads) it reflects.</li>
 *   <li>Before the RocksDB flush that makes that write durable (the periodic {@code state.flush-interval}
 *       flush, a clean stop, a checkpoint for a backup), call {@code sync()}: after a machine crash the logs then
 *       reach at least every mark RocksDB kept.</li>
 *   <li>Start: read the committed mark ({@code DerivedMark.EMPTY} when the state has none) and
 *       {@code DerivedLog.open(dir, mark)}: everything past the mark is dropped and is re-derived, identically,
 *       by re-applying the journal from the snapshot's position. A log that ends before its mark lost bytes the
 *       state relies on: the open fails with a message saying to restore a backup or replay.</li>
 *   <li>Retention: after each commit, {@code forgetOutcomesBefore(clockMs - outcomes.retention)} with the
 *       journaled clock (never the wall clock). Only whole sealed segments below the last mark go, so an outcome
 *       is answered for at least the retention and forgotten at most one segment later. If a crash brings back a
 *       mark below the first kept outcome, the outcome log restarts empty at that mark: what it lacked was
 *       past the retention.</li>
 * </ol>
 *
 * <h2>Wiring into the processor (done: {@code processor.PartitionState}, {@code DerivedWrites}, {@code DerivedFiles})</h2>
 * As wired, a commit writes the staged records out ({@code mark()}, which also notes the files it reached) on the
 * partition thread and hands its batch to the partition's committer thread; the store forces those files on
 * RocksDB's flush thread just before every flush ({@code PartitionStore.beforeFlush} calling {@code forceWritten()}),
 * step 3 exactly; with RocksDB's WAL on, where a batch can reach the disk without a flush, the committer calls
 * {@code forceWritten()} before it writes the batch, so the WAL never holds a mark ahead of the logs (its callers
 * are serialized: one that finds the files being forced by the other waits for that force). The processor runs due work after every record in customer order, so
 * that append positions depend on the journal only.
 * The plan it followed:
 * Replace the {@code Keys.outcome(seq)} put in {@code PartitionProcessor.apply} by {@code appendOutcome(seq,
 * ingestMs, ...)} and {@code event/duplicate}'s {@code store.get(Keys.outcome(seq))} by {@code outcome(seq)};
 * replace each {@code Keys.ledger(customer, id)} put in {@code writeLedger} by {@code appendLedger} with the
 * customer's head (a new field of the customer's record, {@code -1} for customers without entries) and store
 * the returned position as the new head; {@code ledger(...)} reads {@code ledgerPage(id, head, before,
 * limit)} instead of {@code store.ledgerBefore}. The commit adds the mark to the checkpoint's write;
 * {@code forgetOldOutcomes}'s range delete (and the {@code outcome-marks} key) gives way to
 * {@code forgetOutcomesBefore}. {@code Replay}'s identity check must then compare the derived logs too
 * ({@code firstDifference}: byte for byte over what both keep), and backups must copy the {@code derived}
 * folder after the RocksDB checkpoint (the logs only grow, so a later copy holds at least the checkpoint's
 * mark).
 */
package dev.loyalty.engine.derived;
