/**
 * The management side of the program: the Prometheus registry with its JVM and process meters
 * ({@link dev.loyalty.api.management.ProgramMetrics}) and the unauthenticated management server
 * ({@code /metrics}, {@code /health/live}, {@code /health/ready}) on {@code management.host:port}.
 * Started and closed by {@link dev.loyalty.api.Program}; handlers run on a Vert.x event loop and scrape
 * off it.
 */
package dev.loyalty.api.management;
