package dev.loyalty.engine.processor;

/** What a processor tells the engine about; called on the processor thread after a batch commits. */
public interface ProcessorListener {

    /** The clock record of that seq has been applied by this partition. */
    void clockRecordApplied(int partition, long seq);

    /** The partition stopped because applying a record failed; it will not go on (fail-stop). */
    void failed(int partition, long seq, Throwable cause);
}
