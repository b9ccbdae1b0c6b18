/**
 * Programme statistics maintained incrementally by processors; published as immutable snapshots.
 */
package dev.loyalty.engine.stats;
