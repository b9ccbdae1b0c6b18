/**
 * The loyalty engine core: knows nothing of HTTP. {@link dev.loyalty.engine.Engine} starts it; the front end
 * talks to it through {@link dev.loyalty.engine.LoyaltyEngine}; {@link dev.loyalty.engine.Replay} rebuilds state.
 */
package dev.loyalty.engine;
