/**
 * RocksDB state of a partition: key layout, codecs, the store. Written only by the partition's processor.
 */
package dev.loyalty.engine.state;
