/**
 * The loyalty rules of loyalty-rules.md as plain, deterministic objects: {@link dev.loyalty.engine.rules.Rules}
 * applies journaled events and time-driven work (auto-accept, expiry, tier reviews) to a
 * {@link dev.loyalty.engine.rules.Customer}, whose state {@link dev.loyalty.engine.rules.CustomerCodec} stores
 * byte for byte reproducibly; the records here (ledger entries, outcomes, views) are the contract with the
 * processors and the API. No I/O, no wall clock, no randomness: only a partition's processor thread calls in,
 * and only the rules owner changes the mutable classes here (the value records are shared contract).
 */
package dev.loyalty.engine.rules;
