package dev.loyalty.engine.processor;

/** What a processor tells the engine about; called on the processor thread after a batch commits. */
public interface ProcessorListener {

    /**
     * Tells no one: for offline runs (replay, what-if) that have no engine to tell; they learn of a failure
     * from the processor's own state when they join it.
     */
    ProcessorListener QUIET = new ProcessorListener() {
        @Override
        public void clockRecordApplied(int partition, long seq) {
        }

        @Override
        public void failed(int partition, long seq, Throwable cause) {
        }
    };

    /** The clock record of that seq has been applied by this partition. */
    void clockRecordApplied(int partition, long seq);

    /** The partition stopped because applying a record failed; it will not go on (fail-stop). */
    void failed(int partition, long seq, Throwable cause);
}
