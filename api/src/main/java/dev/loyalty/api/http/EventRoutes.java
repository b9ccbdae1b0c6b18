package dev.loyalty.api.http;

import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.LoyaltyEngine.EventResult;
import dev.loyalty.engine.LoyaltyEngine.EventStatus;
import dev.loyalty.engine.LoyaltyEngine.IngestRefusedException;
import dev.loyalty.engine.LoyaltyEngine.Refusal;
import dev.loyalty.engine.LoyaltyEngine.Submission;
import dev.loyalty.engine.LoyaltyEngine.Submitted;
import dev.loyalty.engine.event.BulkRead;
import dev.loyalty.engine.event.ReadEvent;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.event.ValidationError;
import dev.loyalty.engine.journal.BulkRecord;
import dev.loyalty.engine.journal.EventRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * {@code POST /events}, {@code POST /events/bulk} and {@code GET /events/{seq}} (api.md, Events). Runs
 * after authentication and, for the POSTs, {@link JsonBodyHandler} (or, for a plain {@code POST /events}, after
 * {@link DirectEvents}' equivalent checks, {@link #postDirect}): validates, submits to the engine in
 * one call per request, and, once the journal holds the events durably, answers with the outcome, or
 * {@code accepted} when not awaited or not ready within {@code api.sync-timeout}. A journaled event answers
 * an error only when the journal cannot make it durable ({@code 503}). Shared by all event loops.
 */
final class EventRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(EventRoutes.class);

    /** Seqs are below 2^53 (api.md); anything else cannot name an event. */
    private static final long MAX_SEQ = 1L << 53;

    private final LoyaltyEngine engine;
    private final EventBodies bodies;
    private final long syncTimeoutMs;
    private final int bulkMax;
    /** Whether a submit waits for the network (the Kafka journal): then it goes through {@link AckedSubmit}. */
    private final boolean submitBlocks;

    EventRoutes(LoyaltyEngine engine, long syncTimeoutMs, int bulkMax) {
        this.engine = engine;
        this.bodies = new EventBodies(engine.config().rules());
        this.syncTimeoutMs = syncTimeoutMs;
        this.bulkMax = bulkMax;
        this.submitBlocks = engine.submitBlocks();
    }

    /** {@code POST /events} through the router (whatever {@link DirectEvents} left to it). */
    void post(RoutingContext ctx) {
        if (!submitBlocks && plainSync(ctx)) {
            byte[] body = JsonBodyHandler.bytes(ctx);
            sync(ctx.request(), body, body.length);
            return;
        }
        ReadEvent read = bodies.event(JsonBodyHandler.bytes(ctx), engine.nowMs());
        single(ctx.request(), read, asyncMode(ctx));
    }

    /**
     * {@code POST /events} taken by {@link DirectEvents} in front of the router (authenticated, JSON, within the
     * size limit, no query or exactly {@code mode=sync} or {@code mode=async}, a journal whose submit does not
     * block): answered as {@link #post} answers it. What it throws the caller answers as the router's failure
     * handler would ({@link HttpErrors#fail}). The first {@code length} bytes of {@code body} are the body; the
     * array is the caller's again once this returns (nothing keeps it: the record, the event and errors copy).
     */
    void postDirect(HttpServerRequest request, byte[] body, int length, boolean async) {
        if (async) {
            single(request, bodies.event(body, length, engine.nowMs()), true);
        } else {
            sync(request, body, length);
        }
    }

    /** The hot path: the body straight into its journal record, no Event (a bad body answers 400 as always). */
    private void sync(HttpServerRequest request, byte[] body, int length) {
        EventRecord record = bodies.record(body, length, engine.nowMs());
        if (engine.lookupsInMemory(record.id())) {
            submitLean(request, record);
        } else {
            submitOne(request, new Submitted(record.decode(), record.bodyHash()), true);
        }
    }

    private void single(HttpServerRequest request, ReadEvent read, boolean async) {
        Validated validated = read.validated();
        if (!validated.isOk()) {
            throw ApiException.of(validated.error());
        }
        submitOne(request, new Submitted(validated.event(), read.bodyHash()), !async);
    }

    /**
     * A synchronous single event on the event loop, its outcome told to its {@link SyncReply} (the engine's
     * waiter, this loop's wait and the answer in one object: no future, map node or callback per request).
     * A duplicate or a refusal answers as {@link #answer} does.
     */
    private void submitLean(HttpServerRequest request, EventRecord record) {
        ReplyLoop loop = ReplyLoop.of(syncTimeoutMs);
        SyncReply reply = loop.syncReply(request);
        Submission submission = engine.submit(record, reply);
        if (submission != null) {
            reply.unused(); // the waiter was not registered (see LoyaltyEngine.submit)
            answer(request, submission);
            return;
        }
        reply.seq = record.seq();
        reply.durable = engine.durable(reply.seq);
        loop.start(reply, reply.durable);
    }

    /**
     * One event submitted as {@link #submit} does (on this loop when its id answers from memory, else on a
     * worker or through {@link AckedSubmit}), answered by {@link #answer}; a refusal answers its error.
     */
    private void submitOne(HttpServerRequest request, Submitted event, boolean await) {
        List<Submitted> batch = List.of(event);
        if (!submitBlocks && engine.lookupsInMemory(batch)) {
            answer(request, engine.submit(batch, await).get(0));
            return;
        }
        Context context = Vertx.currentContext();
        Future<List<Submission>> submitted = submitBlocks
                ? AckedSubmit.submit(engine, context, batch, await)
                : context.owner().executeBlocking(() -> engine.submit(batch, await), false);
        submitted.onComplete(done -> {
            if (done.failed()) {
                HttpErrors.fail(request, done.cause());
            } else {
                Await.guarded(request, () -> answer(request, done.result().get(0)));
            }
        });
    }

    private void answer(HttpServerRequest request, Submission submission) {
        HttpServerResponse response = request.response();
        Refusal refusal = submission.refusal();
        if (refusal != null) {
            HttpErrors.send(response, refusal.status(), refusal.code(), refusal.message());
            return;
        }
        CompletableFuture<EventResult> result = submission.result();
        if (result == null) {
            CompletableFuture<Void> durable = engine.durable(submission.seq());
            if (durable.isDone() && !durable.isCompletedExceptionally()) {
                // Async (or a duplicate not awaited) with the journal durable already (journal.sync none): the
                // answer is known as the append returns, so no wait of any kind.
                Responses.pooled(response, 202, JsonViews.acceptedPooled(submission.seq()));
                return;
            }
        }
        CompletableFuture<Void> durable = engine.durable(submission.seq());
        // journal.sync none: durable is done at once; wait for the outcome alone (no combined future).
        CompletableFuture<?> all = result == null ? durable
                : durable.isDone() && !durable.isCompletedExceptionally() ? result
                : CompletableFuture.allOf(durable, result);
        ReplyLoop.of(syncTimeoutMs).await(request, all, () -> {
            if (!durable.isDone()) {
                notDurable(response, null);
            } else if (durable.isCompletedExceptionally()) {
                notDurable(response, Await.failureOf(durable));
            } else {
                EventResult done = BulkBatch.completed(result);
                if (done == null) {
                    Responses.pooled(response, 202, JsonViews.acceptedPooled(submission.seq()));
                } else {
                    Responses.pooled(response, done.outcome().httpStatus(),
                            JsonViews.eventResultPooled(submission.seq(), submission.duplicate(), done));
                }
            }
        });
    }

    /**
     * Submits on this event loop when every id lookup answers from memory (nearly always: new ids and
     * recent ones), else on a worker, because the lookup may read the id index on disk; when the journal waits
     * for the network ({@link LoyaltyEngine#submitBlocks}: Kafka's acknowledgement) through {@link AckedSubmit};
     * {@code then} runs on the event loop either way. A refusal of the engine fails the request (mapped by
     * {@link HttpErrors}).
     */
    private void submit(RoutingContext ctx, List<Submitted> batch, boolean await, Consumer<List<Submission>> then) {
        if (!submitBlocks && engine.lookupsInMemory(batch)) {
            then.accept(engine.submit(batch, await));
            return;
        }
        Future<List<Submission>> submitted = submitBlocks
                ? AckedSubmit.submit(engine, ctx.vertx().getOrCreateContext(), batch, await)
                : ctx.vertx().executeBlocking(() -> engine.submit(batch, await), false);
        submitted.onComplete(done -> {
            if (done.failed()) {
                ctx.fail(done.cause());
            } else {
                Await.guarded(ctx, () -> then.accept(done.result()));
            }
        });
    }

    /**
     * {@code POST /events/bulk}: invalid slots answer their error and are not journaled; the valid ones
     * go to the engine in one submit. {@code ?mode=async} answers 200 with every journaled slot
     * {@code accepted}.
     */
    void postBulk(RoutingContext ctx) {
        if (!submitBlocks) {
            postBulkRecord(ctx);
            return;
        }
        BulkRead read = bodies.bulk(JsonBodyHandler.bytes(ctx), engine.nowMs(), bulkMax);
        JsonBodyHandler.release(ctx); // read whole: nothing below looks at the bytes again
        boolean async = asyncMode(ctx);
        if (read.error() != null) {
            throw ApiException.of(read.error());
        }
        BulkBatch bulk = new BulkBatch(read);
        if (bulk.events().isEmpty()) {
            answerBulk(ctx, bulk, List.of());
        } else {
            submit(ctx, bulk.events(), !async, submissions -> answerBulk(ctx, bulk, submissions));
        }
    }

    /**
     * {@link #postBulk} on a local journal: each valid slot is written straight into the bulk's journal record
     * while the body is read, journaled in one append, and answered from one {@link BulkReply} (sync) or at once
     * once durable (async). A duplicate or mismatch among the ids, or an id whose lookup may read the disk, goes
     * the general way ({@link BulkBatch}) with the same answers.
     */
    private void postBulkRecord(RoutingContext ctx) {
        BulkRecord record = bodies.bulkRecord();
        ValidationError envelope = bodies.bulk(JsonBodyHandler.bytes(ctx), engine.nowMs(), bulkMax, record);
        JsonBodyHandler.release(ctx); // read whole: nothing below looks at the bytes again
        boolean async = asyncMode(ctx);
        if (envelope != null) {
            throw ApiException.of(envelope);
        }
        int total = record.slots();
        ValidationError[] invalid = record.errorsCopy();
        if (record.count() == 0) {
            Responses.pooled(ctx, 200, JsonViews.bulkPooled(total, invalid, -1, null));
            return;
        }
        if (!engine.lookupsInMemory(record)) {
            BulkBatch bulk = new BulkBatch(record.toRead());
            submit(ctx, bulk.events(), !async, submissions -> answerBulk(ctx, bulk, submissions));
            return;
        }
        ReplyLoop loop = ReplyLoop.of(syncTimeoutMs);
        BulkReply reply = async ? null : loop.bulkReply(ctx, total, invalid, record.count());
        List<Submission> general = engine.submit(record, reply == null ? null : reply.waiters());
        if (general != null) {
            // Duplicates or mismatches: answered as before. The record still holds this bulk (nothing read since).
            BulkBatch bulk = new BulkBatch(record.toRead());
            answerBulk(ctx, bulk, general);
            return;
        }
        long firstSeq = record.firstSeq();
        if (reply == null) {
            whenDurable(ctx, firstSeq + record.count() - 1, null,
                    () -> Responses.pooled(ctx, 200, JsonViews.bulkPooled(total, invalid, firstSeq, null)));
            return;
        }
        reply.firstSeq = firstSeq;
        reply.durable = engine.durable(firstSeq + record.count() - 1);
        loop.start(reply, reply.durable);
    }

    private void answerBulk(RoutingContext ctx, BulkBatch bulk, List<Submission> submissions) {
        List<CompletableFuture<EventResult>> waiting = new ArrayList<>(submissions.size());
        long lastSeq = bulk.submitted(submissions, waiting);
        Runnable answer = () -> Responses.pooled(ctx, 200, JsonViews.bulkPooled(bulk.gather()));
        if (lastSeq < 0) {
            answer.run();
        } else {
            whenDurable(ctx, lastSeq, waiting.isEmpty() ? null
                    : CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)), answer);
        }
    }

    /**
     * Runs {@code answer} once the journal holds every record up to {@code seq} as durably as
     * {@code journal.sync} promises (nothing journaled is acknowledged before), and {@code outcomes} (may be
     * null) completed or {@code api.sync-timeout} passed, whichever is first; {@code answer} reads the
     * outcomes as they stand. One deadline for the whole wait: a journal not durable by then (or failing)
     * answers {@code 503}, so no request waits longer than {@code api.sync-timeout}.
     */
    private void whenDurable(RoutingContext ctx, long seq, CompletableFuture<?> outcomes, Runnable answer) {
        CompletableFuture<Void> durable = engine.durable(seq);
        // journal.sync none: durable is done at once; wait for the outcomes alone (no combined future).
        CompletableFuture<?> all = outcomes == null ? durable
                : durable.isDone() && !durable.isCompletedExceptionally() ? outcomes
                : CompletableFuture.allOf(durable, outcomes);
        ReplyLoop.of(syncTimeoutMs).await(ctx, all, () -> {
            if (!durable.isDone()) {
                notDurable(ctx, null);
            } else if (durable.isCompletedExceptionally()) {
                notDurable(ctx, Await.failureOf(durable));
            } else {
                answer.run();
            }
        });
    }

    static void notDurable(RoutingContext ctx, Throwable failure) {
        notDurable(ctx.response(), failure);
    }

    static void notDurable(HttpServerResponse response, Throwable failure) {
        if (failure instanceof IngestRefusedException refused) {
            HttpErrors.send(response, refused);
        } else {
            LOG.warn("journaled records could not be made durable in time", failure);
            HttpErrors.send(response, 503, "unavailable", "the journal could not be synced to disk in time");
        }
    }


    /** {@code GET /events/{seq}}; a seq that is not a non-negative integer below 2^53 is unknown too. */
    void get(RoutingContext ctx) {
        long seq = parseSeq(ctx.pathParam("seq"));
        if (seq < 0) {
            unknownEvent(ctx, ctx.pathParam("seq"));
            return;
        }
        Await.read(ctx, engine.event(seq), syncTimeoutMs, status -> {
            if (status == null || status.kind() == EventStatus.Kind.UNKNOWN) {
                unknownEvent(ctx, Long.toString(seq));
            } else {
                Responses.json(ctx, 200, JsonViews.eventStatus(seq, status));
            }
        });
    }

    private static void unknownEvent(RoutingContext ctx, String seq) {
        HttpErrors.send(ctx, 404, "not_found", "no event with seq " + seq);
    }

    /** The seq, or -1 when the text is not a non-negative integer below 2^53. */
    static long parseSeq(String text) {
        if (text == null || text.isEmpty() || text.length() > 16) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value < MAX_SEQ ? value : -1;
    }

    /** No {@code mode} or {@code ?mode=sync}: the lean path; async and a bad mode go the general way. */
    private static boolean plainSync(RoutingContext ctx) {
        if (ctx.request().query() == null) {
            return true;
        }
        List<String> modes = ctx.queryParam("mode");
        return modes.isEmpty() || "sync".equals(modes.get(0));
    }

    /** {@code ?mode=async} or {@code ?mode=sync} (the default); anything else is {@code 400 invalid_field}. */
    private static boolean asyncMode(RoutingContext ctx) {
        String query = ctx.request().query();
        if (query == null) {
            return false; // no query string: nothing to decode (Vert.x-web would build a parameter map per request)
        }
        // The two queries clients send, read as they stand: decoding them (a parameter map, its entries and
        // strings per request) was a fifth of an async request's allocation on the event loop.
        if (query.equals("mode=async")) {
            return true;
        }
        if (query.equals("mode=sync")) {
            return false;
        }
        List<String> modes = ctx.queryParam("mode");
        if (modes.isEmpty()) {
            return false;
        }
        return switch (modes.get(0)) {
            case "async" -> true;
            case "sync" -> false;
            default -> throw ApiException.invalidField("mode", "must be sync or async");
        };
    }
}
