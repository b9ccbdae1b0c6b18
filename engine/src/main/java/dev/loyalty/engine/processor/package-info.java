/**
 * Partition processors: the single writer of each partition's state. Only the processor thread mutates customers; other threads hand work to it through thread-safe methods.
 */
package dev.loyalty.engine.processor;
