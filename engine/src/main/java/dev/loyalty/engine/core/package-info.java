/**
 * Processor core v2 (issue 11), step 1: the loyalty rules on compact in-memory state, not yet wired into the
 * processors. {@link dev.loyalty.engine.core.CustomerTable} holds a partition's hot customers in primitive
 * columns (lots per account as sorted primitive arrays, a qualifying window with a running sum, the
 * transactions later events can refer to); {@link dev.loyalty.engine.core.CoreRules} applies events and
 * time-driven work to it exactly as today's {@code dev.loyalty.engine.rules.Rules} does, writing ledger entries
 * into a reusable {@link dev.loyalty.engine.core.EffectSink}; {@link dev.loyalty.engine.core.CoreCustomerCodec}
 * snapshots one customer deterministically; {@link dev.loyalty.engine.core.TransactionArchive} is the seam
 * through which closed transactions will leave the in-memory record. Today's rules stay the reference model:
 * the differential tests drive both side by side. Everything here belongs to one partition thread.
 */
package dev.loyalty.engine.core;
