package dev.loyalty.engine.journal;

import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.processor.OutcomeWaiter;

import java.util.Arrays;

/**
 * The synchronous single events one submitting thread gathered (an event loop's turn), each already in its journal
 * encoding ({@link EventRecord}) with the waiter of its outcome, submitted together so that those that are new
 * share one journal record ({@link ChronicleJournal#appendBatch}): one write lock, one document, one wake-up per
 * partition instead of one per request. After the submit each slot holds what a single submit of it would have
 * given: journaled ({@link #journaled}, its record's {@link EventRecord#seq}), an answer (a duplicate or a
 * mismatch, {@link #answer}) or a refusal ({@link #failure}). One per thread, reused; not thread-safe.
 */
public final class EventBatch {

    private EventRecord[] records = new EventRecord[16];
    private OutcomeWaiter[] waiters = new OutcomeWaiter[16];
    private Submission[] answers = new Submission[16];
    private RuntimeException[] failures = new RuntimeException[16];
    /** Each slot's partition hash ({@link PartitionHash#of} of its customer), set by the engine. */
    private int[] hashes = new int[16];
    /** The slots that go into the shared record, in order; set by the engine. */
    private int[] members = new int[16];
    private int count;
    private int memberCount;

    /** The record of the next slot, to encode the next event into; it joins the batch with {@link #add}. */
    public EventRecord next() {
        if (count == records.length) {
            grow();
        }
        EventRecord r = records[count];
        if (r == null) {
            r = new EventRecord();
            records[count] = r;
        }
        return r;
    }

    /** Adds {@link #next}'s record, just encoded, with the waiter of its outcome; returns its slot. */
    public int add(OutcomeWaiter waiter) {
        next();
        waiters[count] = waiter;
        return count++;
    }

    private void grow() {
        int n = records.length * 2;
        records = Arrays.copyOf(records, n);
        waiters = Arrays.copyOf(waiters, n);
        answers = Arrays.copyOf(answers, n);
        failures = Arrays.copyOf(failures, n);
        hashes = Arrays.copyOf(hashes, n);
        members = Arrays.copyOf(members, n);
    }

    /** Slots added since the last {@link #clear}. */
    public int count() {
        return count;
    }

    public EventRecord record(int slot) {
        return records[slot];
    }

    public OutcomeWaiter waiter(int slot) {
        return waiters[slot];
    }

    /** The answer of a slot not journaled as new (a duplicate or an id mismatch), else null. */
    public Submission answer(int slot) {
        return answers[slot];
    }

    /** Why a slot was refused or not journaled ({@code IngestRefusedException} and the like), else null. */
    public RuntimeException failure(int slot) {
        return failures[slot];
    }

    /** Whether the slot was journaled as a new event, its waiter registered ({@link EventRecord#seq} is its seq). */
    public boolean journaled(int slot) {
        return answers[slot] == null && failures[slot] == null && records[slot].seq() >= 0;
    }

    /** Engine: what a single submit of this slot answered (null: journaled). */
    public void answer(int slot, Submission answer) {
        answers[slot] = answer;
    }

    /** Engine: the slot is refused, or its append failed. */
    public void fail(int slot, RuntimeException failure) {
        failures[slot] = failure;
    }

    /** Engine: the slot's partition hash. */
    public void hash(int slot, int partitionHash) {
        hashes[slot] = partitionHash;
    }

    public int hash(int slot) {
        return hashes[slot];
    }

    /** Engine: the slots of the shared record start over. */
    public void clearMembers() {
        memberCount = 0;
    }

    /** Engine: the slot goes into the shared record, after those added before it. */
    public void addMember(int slot) {
        members[memberCount++] = slot;
    }

    /** How many slots go into the shared record. */
    public int memberCount() {
        return memberCount;
    }

    /** The slot of the shared record's {@code j}th event. */
    public int member(int j) {
        return members[j];
    }

    /** Forgets every slot (its waiters and strings are the requests'); the records stay for reuse. */
    public void clear() {
        Arrays.fill(waiters, 0, count, null);
        Arrays.fill(answers, 0, count, null);
        Arrays.fill(failures, 0, count, null);
        count = 0;
        memberCount = 0;
    }
}
