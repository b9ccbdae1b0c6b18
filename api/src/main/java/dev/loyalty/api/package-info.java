/**
 * The runnable program: {@link dev.loyalty.api.Main} ({@code serve}, {@code replay}) and
 * {@link dev.loyalty.api.Program}, one running engine with its HTTP API and management server.
 * Touched only from the starting thread and the shutdown hook.
 */
package dev.loyalty.api;
