package dev.loyalty.engine.core;

/**
 * Where closed transactions live once they leave a customer's in-memory record (a later step: one RocksDB key
 * per closed transaction, written behind): {@link CoreRules} asks it on a miss before answering "no such
 * transaction", so evicting a closed row never changes an outcome. In this step every row stays in memory and
 * {@link #NONE} is used.
 */
public interface TransactionArchive {

    /** Archive holding nothing. */
    TransactionArchive NONE = (customerId, kind, transactionId, into) -> -1;

    /**
     * Loads the archived transaction of that customer, kind ({@link Transactions#CHECKOUT}, ...) and id back
     * into {@code into}; returns its row there, or -1 when there is none.
     */
    int load(String customerId, byte kind, String transactionId, Transactions into);
}
