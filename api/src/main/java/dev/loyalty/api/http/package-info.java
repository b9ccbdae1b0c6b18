/**
 * The ingest/query HTTP API of api.md on Vert.x: one {@link dev.loyalty.api.http.ApiVerticle} per event
 * loop, all sharing the port and one {@link dev.loyalty.api.http.ApiServer} (engine, keys, metrics).
 *
 * <p>Thread contract: every handler here runs on an event loop and never blocks; engine futures complete
 * on engine threads and are hopped back to the request's context by {@link dev.loyalty.api.http.Await}
 * before a response is touched. Failures become HTTP answers in one place, {@link dev.loyalty.api.http.HttpErrors};
 * JSON is written in one place, {@link dev.loyalty.api.http.JsonViews}.
 */
package dev.loyalty.api.http;
