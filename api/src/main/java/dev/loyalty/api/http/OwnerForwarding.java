package dev.loyalty.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loyalty.engine.LoyaltyEngine;
import dev.loyalty.engine.cluster.ClusterView;
import dev.loyalty.engine.cluster.Owner;
import dev.loyalty.engine.event.BulkRead;
import dev.loyalty.engine.event.ReadEvent;
import dev.loyalty.engine.event.Validated;
import dev.loyalty.engine.journal.kafka.KafkaSeq;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Any node answers any request when several nodes share a Kafka journal: reads of a customer or an event, and
 * synchronous writes, go to the partition's owner over HTTP (its {@code cluster.advertised-url}, one pooled
 * client, the caller's headers and body as received, {@link #FORWARDED} set so that the owner never forwards
 * again), and the owner's answer is relayed as it is. Handlers sit in front of the routes and pass to them
 * ({@code ctx.next()}) whenever this node answers itself: on Chronicle, for a forwarded request, when this node
 * owns the partition, and when no owner is known (a read then answers 503 from the engine; a write is journaled
 * here and answers 202 at {@code api.sync-timeout}, as any journaled event not yet applied).
 *
 * <p>Writes go to the owner, which journals and answers (so its processor, not a round trip through Kafka,
 * gives the synchronous answer); {@code ?mode=async} writes are journaled by the receiving node (nothing to
 * ask the owner). An owner that cannot be connected to is treated as no owner (journaled here, 202); one that
 * took the request but did not answer within {@code api.sync-timeout} plus a second answers 503 (the event may
 * have been journaled: a retry with the same id is safe). A bulk whose customers belong to several owners is
 * split into one bulk per owner (each customer's events keep their order and their owner gives their views),
 * all parts at once, this node's own part in-process ({@link LocalBulkPart}, no HTTP hop to itself), and the
 * slots are put back in order ({@link SplitBulk}); a signed bulk is not split (the signature covers the whole body). The
 * owner authenticates and rate-limits a forwarded request again with the same key.
 *
 * <p>{@code GET /stats} sums every node's figures for the partitions it owns ({@link #stats}): each node answers
 * a forwarded {@code /stats} with its own partitions in {@link #PARTITIONS}; the sum is answered only when
 * those cover every partition exactly once (else 503: partitions are moving, retry).
 */
public final class OwnerForwarding {
    /** Marks a request one node forwarded to another (value: the forwarding node's id). */
    static final String FORWARDED = "X-Loyalty-Forwarded-By";
    /** On a forwarded {@code /stats} answer: the partitions its figures cover ({@code 0,3}), or {@code moving}. */
    static final String PARTITIONS = "X-Loyalty-Partitions";
    private static final String SIGNATURE = RequestSignatures.HEADER;
    /**
     * Between nodes only: a forwarded request's partition is not the receiving node's (never relayed to a client:
     * the forwarding node acts on it).
     */
    static final int MISDIRECTED = 421;
    /** Longest wait for the directory after a {@link #MISDIRECTED} answer. */
    private static final long REFRESH_WAIT_MS = 500;
    /** {@link #relay}'s partition for a bulk sent whole to one owner (its customers' partitions are several). */
    private static final int WHOLE_BULK = -2;
    /** Routing context key: this bulk was sent once already and answered {@link #MISDIRECTED}; no third send. */
    private static final String BULK_RESENT = "loyalty.bulk-resent";
    /** Headers of the caller's request not passed on (connection-level, or recomputed by the client). */
    private static final List<CharSequence> HOP_HEADERS = List.of(HttpHeaders.HOST, HttpHeaders.CONTENT_LENGTH,
            HttpHeaders.CONNECTION, HttpHeaders.TRANSFER_ENCODING, HttpHeaders.KEEP_ALIVE);

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private final ClusterView cluster;
    private final long syncTimeoutMs;
    private final int bulkMax;
    private final Counter forwarded;
    private final Counter unreachable;
    private final Counter failed;
    private final Counter localParts;
    private final Counter misdirectedHere;
    private final Counter misdirectedThere;
    private final LocalBulkPart local;
    private volatile HttpClientAgent client;

    /** Forwarding for {@code engine}'s cluster; every handler just passes on when it has none (Chronicle). */
    public OwnerForwarding(LoyaltyEngine engine, MeterRegistry registry, long syncTimeoutMs, int bulkMax) {
        this.cluster = engine.cluster();
        this.syncTimeoutMs = syncTimeoutMs;
        this.bulkMax = bulkMax;
        String name = "loyalty_cluster_forwarded_requests_total";
        String help = "Requests this node forwarded to a partition's owner, by outcome: ok (the owner answered), "
                + "unreachable (no connection: answered here), failed (no answer in time: 503)";
        this.forwarded = Counter.builder(name).description(help).tag("outcome", "ok").register(registry);
        this.unreachable = Counter.builder(name).description(help).tag("outcome", "unreachable").register(registry);
        this.failed = Counter.builder(name).description(help).tag("outcome", "failed").register(registry);
        this.localParts = Counter.builder("loyalty_cluster_local_bulk_parts_total")
                .description("Parts of split bulks for this node's own partitions, journaled in-process")
                .register(registry);
        String wrong = "loyalty_cluster_misdirected_requests_total";
        String wrongHelp = "Forwarded requests for a partition the receiving node does not own (a directory behind "
                + "a rebalance), by side: received (answered 421 here) or sent (this node's directory was behind)";
        this.misdirectedHere = Counter.builder(wrong).description(wrongHelp).tag("side", "received").register(registry);
        this.misdirectedThere = Counter.builder(wrong).description(wrongHelp).tag("side", "sent").register(registry);
        this.local = new LocalBulkPart(engine, syncTimeoutMs, bulkMax);
    }

    /** The one pooled client, created on first use with the first router's Vert.x. */
    void start(Vertx vertx) {
        if (cluster == null || client != null) {
            return;
        }
        synchronized (this) {
            if (client == null) {
                client = vertx.httpClientBuilder()
                        .with(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                                .setConnectTimeout((int) Math.max(200, Math.min(1000, syncTimeoutMs / 4))))
                        .with(new PoolOptions().setHttp1MaxSize(32))
                        .build();
            }
        }
    }

    private boolean answersHere(RoutingContext ctx) {
        // A node alone (every partition its own) reads nothing more of the request than the route does.
        return cluster == null || client == null || cluster.ownsAll() || ctx.request().getHeader(FORWARDED) != null;
    }

    /** The remote owner of a partition, or null when this node answers itself. */
    private Owner remote(int partition) {
        Owner o = cluster.owner(partition);
        return o == null || o.local() || o.url() == null ? null : o;
    }

    /** {@code GET /customers/:id} and its ledger. */
    void customer(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        int p = id == null || id.isEmpty() || cluster == null ? -1 : cluster.partitionOf(id);
        if (misdirected(ctx, p)) {
            return;
        }
        Owner o = answersHere(ctx) || p < 0 ? null : remote(p);
        if (o == null) {
            ctx.next();
            return;
        }
        relay(ctx, o, null, false, p, true);
    }

    /** {@code GET /events/:seq}: a seq names its partition. */
    void event(RoutingContext ctx) {
        int p = -1;
        if (cluster != null) {
            try {
                long seq = Long.parseLong(ctx.pathParam("seq"));
                p = seq > 0 && KafkaSeq.partition(seq) < cluster.partitions() ? KafkaSeq.partition(seq) : -1;
            } catch (NumberFormatException e) {
                // the route answers it
            }
        }
        if (misdirected(ctx, p)) {
            return;
        }
        Owner o = answersHere(ctx) || p < 0 ? null : remote(p);
        if (o == null) {
            ctx.next();
            return;
        }
        relay(ctx, o, null, false, p, true);
    }

    /** {@code POST /events} (after the body was read): synchronous writes go to the owner. */
    void post(RoutingContext ctx) {
        if (cluster == null || cluster.ownsAll() || async(ctx)) {
            ctx.next();
            return;
        }
        String customer = SplitBulk.topLevelString(JsonBodyHandler.bytes(ctx), "customer");
        int p = customer != null && !customer.isEmpty() ? cluster.partitionOf(customer) : -1;
        if (misdirected(ctx, p)) {
            return;
        }
        Owner o = answersHere(ctx) || p < 0 ? null : remote(p);
        if (o == null) {
            ctx.next();
            return;
        }
        relay(ctx, o, Buffer.buffer(JsonBodyHandler.bytes(ctx)), true, p, true);
    }

    /**
     * A request another node forwarded here for a partition this node does not own (the sender's directory
     * is behind a rebalance): answered {@link #MISDIRECTED} at once, before anything is journaled, rather than
     * journaled here and answered 202 at {@code api.sync-timeout} with no processor of it here. The sender
     * reads the assignment again and sends it on or answers it itself ({@link #relay}).
     */
    private boolean misdirected(RoutingContext ctx, int partition) {
        if (cluster == null || partition < 0 || ctx.request().getHeader(FORWARDED) == null) {
            return false;
        }
        Owner o = cluster.owner(partition);
        if (o != null && o.local()) {
            return false;
        }
        misdirectedHere.increment();
        HttpErrors.send(ctx, MISDIRECTED, "misdirected", "this node does not own partition " + partition
                + " (any more); the forwarding node asks its owner");
        return true;
    }

    /**
     * A bulk (a whole one or a split bulk's part) another node forwarded here holding a customer of a partition
     * this node does not own: {@link #MISDIRECTED} at once and nothing of it journaled, as {@link #misdirected}
     * for single requests (before, the former owner journaled the whole part, and its slots answered
     * {@code accepted} only at {@code api.sync-timeout}, no processor of them being here). The customers are found
     * by a token scan; a body the scan cannot read goes to the route, which answers it.
     */
    private boolean misdirectedBulk(RoutingContext ctx) {
        if (cluster == null || ctx.request().getHeader(FORWARDED) == null || cluster.ownsAll()) {
            return false;
        }
        for (String customer : SplitBulk.eventCustomers(JsonBodyHandler.bytes(ctx))) {
            // A malformed id is the route's slot error, whatever it hashes to.
            if (customer != null && QueryRoutes.isCustomerId(customer)) {
                int p = cluster.partitionOf(customer);
                Owner o = cluster.owner(p);
                if (o == null || !o.local()) {
                    misdirectedHere.increment();
                    HttpErrors.send(ctx, MISDIRECTED, "misdirected", "this node does not own partition " + p
                            + " (any more) of a customer in this bulk; the forwarding node asks its owner");
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code POST /events/bulk}: one owner gets it whole; several get a bulk each, answered slot by slot. */
    void postBulk(RoutingContext ctx) {
        if (misdirectedBulk(ctx)) {
            return;
        }
        if (answersHere(ctx) || async(ctx)) {
            ctx.next();
            return;
        }
        byte[] body = JsonBodyHandler.bytes(ctx);
        BulkRead read;
        try {
            read = local.read(body);
        } catch (ApiException e) {
            ctx.next(); // the route answers the body's errors
            return;
        }
        if (read.error() != null) {
            ctx.next(); // and the envelope's
            return;
        }
        // Slots by owner node, in order; "" key: this node (its own partitions, no owner known, invalid slots,
        // which answer their error alike on any node).
        Map<String, List<Integer>> slots = new LinkedHashMap<>();
        Map<String, Owner> owners = new LinkedHashMap<>();
        for (int i = 0; i < read.slots().size(); i++) {
            Validated v = read.slots().get(i).validated();
            Owner o = v.isOk() ? remote(cluster.partitionOf(v.event().customer())) : null;
            String key = o == null ? "" : o.nodeId();
            slots.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
            if (o != null) {
                owners.putIfAbsent(key, o);
            }
        }
        // Sent once already and answered 421 by an owner: what goes out now is not sent again on a second 421.
        boolean retry = ctx.get(BULK_RESENT) == null;
        if (slots.size() == 1) {
            Owner only = owners.get(slots.keySet().iterator().next());
            if (only == null) {
                ctx.next();
            } else {
                relay(ctx, only, Buffer.buffer(body), true, WHOLE_BULK, retry);
            }
            return;
        }
        if (ctx.request().getHeader(SIGNATURE) != null) {
            // Cannot split: the signature covers the whole body.
            ctx.next();
            return;
        }
        List<SplitBulk.Element> events = SplitBulk.elements(body, "events");
        if (events.size() != read.slots().size()) {
            // Not a body the reader and the scan see alike (never seen): journaled here whole, as with no owner.
            ctx.next();
            return;
        }
        split(ctx, body, read, events, slots, owners, retry);
    }

    private void split(RoutingContext ctx, byte[] body, BulkRead read, List<SplitBulk.Element> events,
                       Map<String, List<Integer>> slots, Map<String, Owner> owners, boolean retry) {
        Context context = ctx.vertx().getOrCreateContext();
        List<Future<byte[]>> parts = new ArrayList<>();
        List<List<Integer>> partSlots = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> e : slots.entrySet()) {
            Owner o = owners.get(e.getKey());
            partSlots.add(e.getValue());
            if (o == null) {
                // This node's own part: in-process from the slots read already, concurrently with the forwarded
                // ones (no HTTP hop to itself, no second read of its events).
                parts.add(localPart(ctx, read, e.getValue()));
                continue;
            }
            parts.add(forwardPart(ctx, context, body, read, events, e.getValue(), o, retry));
        }
        JsonBodyHandler.release(ctx); // every part holds what it needs of the body
        Future.all(parts).onComplete(done -> guarded(ctx, true, () -> {
            if (ctx.response().ended()) {
                return;
            }
            List<byte[]> answers = new ArrayList<>(parts.size());
            for (Future<byte[]> f : parts) {
                if (f.failed()) {
                    if (f.cause() instanceof WholeAnswer w) {
                        // A whole-request refusal (429, 503, ...) from one owner is the bulk's answer.
                        forwarded.increment();
                        answer(ctx, w.answer);
                    } else if (f.cause() instanceof LocalFailure l) {
                        // This node's part refused whole: answered as the route would (the router's failure handler).
                        ctx.fail(l.getCause());
                    } else {
                        failedToForward(ctx, f.cause(), true);
                    }
                    return;
                }
                answers.add(f.result());
            }
            Buffer out = SplitBulk.merge(read.slots().size(), partSlots, answers);
            forwarded.increment();
            Responses.json(ctx, 200, out);
        }));
    }

    /** The slots {@code slots} of {@code read} journaled and answered in-process, as a split bulk's own part. */
    private Future<byte[]> localPart(RoutingContext ctx, BulkRead read, List<Integer> slots) {
        List<ReadEvent> own = new ArrayList<>(slots.size());
        for (int i : slots) {
            own.add(read.slots().get(i));
        }
        localParts.increment();
        return local.run(ctx.vertx(), new BulkRead(null, own))
                .recover(failure -> Future.failedFuture(new LocalFailure(failure)));
    }

    /**
     * An owner's part of a split bulk: the request's own bytes of its events (no tree, no re-rendering). An owner
     * that answers {@link #MISDIRECTED} (its partition moved) makes this node read the assignment again and, with
     * {@code retry}, send the part's slots once more by the owners it then knows ({@link #resplit}); without, or
     * with no other owner known, the slots are journaled here as with no owner known (slots not applied within
     * {@code api.sync-timeout} answer {@code accepted}). A 421 never reaches the client.
     */
    private Future<byte[]> forwardPart(RoutingContext ctx, Context context, byte[] body, BulkRead read,
                                       List<SplitBulk.Element> events, List<Integer> slots, Owner owner, boolean retry) {
        return send(ctx, owner.url(), SplitBulk.part(body, events, slots)).compose(r -> {
            if (r.status() == MISDIRECTED) {
                misdirectedThere.increment();
                if (!retry) {
                    return localPart(ctx, read, slots);
                }
                io.vertx.core.Promise<Void> refreshed = io.vertx.core.Promise.promise();
                // Bounded: a slow broker must not hold the bulk past api.sync-timeout (the old view is used then).
                cluster.refreshNow().completeOnTimeout(null, REFRESH_WAIT_MS, TimeUnit.MILLISECONDS)
                        .whenComplete((v, e) -> context.runOnContext(x -> refreshed.complete()));
                return refreshed.future().compose(v -> resplit(ctx, context, body, read, events, slots));
            }
            if (r.status() != 200) {
                return Future.failedFuture(new WholeAnswer(r));
            }
            return Future.succeededFuture(r.body().getBytes());
        });
    }

    /**
     * A part whose owner answered {@link #MISDIRECTED}, after the directory was read again: its slots grouped by
     * the owners known now (this node's own in-process), each group sent once more without a further retry, and
     * the groups' answers merged into the part's answer, slots in the part's order.
     */
    private Future<byte[]> resplit(RoutingContext ctx, Context context, byte[] body, BulkRead read,
                                   List<SplitBulk.Element> events, List<Integer> slots) {
        Map<String, List<Integer>> places = new LinkedHashMap<>(); // places in the part, by owner ("" here)
        Map<String, Owner> owners = new LinkedHashMap<>();
        for (int j = 0; j < slots.size(); j++) {
            Validated v = read.slots().get(slots.get(j)).validated();
            Owner o = v.isOk() ? remote(cluster.partitionOf(v.event().customer())) : null;
            String key = o == null ? "" : o.nodeId();
            places.computeIfAbsent(key, k -> new ArrayList<>()).add(j);
            if (o != null) {
                owners.putIfAbsent(key, o);
            }
        }
        List<Future<byte[]>> groups = new ArrayList<>();
        List<List<Integer>> groupPlaces = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> e : places.entrySet()) {
            List<Integer> groupSlots = new ArrayList<>(e.getValue().size());
            for (int j : e.getValue()) {
                groupSlots.add(slots.get(j));
            }
            Owner o = owners.get(e.getKey());
            groupPlaces.add(e.getValue());
            groups.add(o == null ? localPart(ctx, read, groupSlots)
                    : forwardPart(ctx, context, body, read, events, groupSlots, o, false));
        }
        return Future.all(groups).map(done -> {
            List<byte[]> answers = new ArrayList<>(groups.size());
            for (Future<byte[]> g : groups) {
                answers.add(g.result());
            }
            return SplitBulk.merge(slots.size(), groupPlaces, answers).getBytes();
        });
    }

    /** A forwarded {@code /stats} answers this node's own partitions, naming them in {@link #PARTITIONS}. */
    void localStats(RoutingContext ctx) {
        if (cluster == null || ctx.request().getHeader(FORWARDED) == null) {
            ctx.next();
            return;
        }
        String before = ownedHere();
        ctx.addHeadersEndHandler(v -> ctx.response().putHeader(PARTITIONS,
                before.equals(ownedHere()) ? before : "moving"));
        ctx.next();
    }

    private String ownedHere() {
        StringBuilder b = new StringBuilder();
        for (int p = 0; p < cluster.partitions(); p++) {
            Owner o = cluster.owner(p);
            if (o != null && o.local()) {
                b.append(b.isEmpty() ? "" : ",").append(p);
            }
        }
        return b.toString();
    }

    /** {@code GET /stats}: the sum of every node's figures for its own partitions. */
    void stats(RoutingContext ctx) {
        if (answersHere(ctx)) {
            ctx.next();
            return;
        }
        List<String> urls = new ArrayList<>();
        for (int p = 0; p < cluster.partitions(); p++) {
            Owner o = cluster.owner(p);
            if (o == null || o.url() == null) {
                HttpErrors.send(ctx, 503, "unavailable", "partition " + p + " has no reachable owner right now "
                        + "(partitions are moving between nodes): statistics would be incomplete; retry shortly");
                return;
            }
            if (!urls.contains(o.url())) {
                urls.add(o.url());
            }
        }
        List<Future<Answer>> asks = new ArrayList<>();
        for (String url : urls) {
            asks.add(send(ctx, url, null));
        }
        Future.all(asks).onComplete(done -> guarded(ctx, false, () -> {
            if (ctx.response().ended()) {
                return;
            }
            boolean[] covered = new boolean[cluster.partitions()];
            ObjectNode sum = null;
            for (Future<Answer> f : asks) {
                if (f.failed()) {
                    failedToForward(ctx, f.cause(), false);
                    return;
                }
                Answer a = f.result();
                if (a.status() != 200) {
                    answer(ctx, a);
                    return;
                }
                String partitions = a.partitions();
                if (partitions == null || partitions.equals("moving") || !cover(covered, partitions)) {
                    HttpErrors.send(ctx, 503, "unavailable", "partitions moved between nodes while the statistics "
                            + "were gathered; retry shortly");
                    return;
                }
                if (!partitions.isEmpty()) {
                    JsonNode part = JsonBodies.parse(a.body().getBytes());
                    if (!part.isObject()) {
                        failedToForward(ctx, new IllegalStateException("statistics that are not an object"), false);
                        return;
                    }
                    sum = StatsSum.add(sum, (ObjectNode) part);
                }
            }
            for (boolean c : covered) {
                if (!c) {
                    HttpErrors.send(ctx, 503, "unavailable", "partitions moved between nodes while the statistics "
                            + "were gathered; retry shortly");
                    return;
                }
            }
            forwarded.increment();
            Responses.json(ctx, 200, json(sum));
        }));
    }

    /** Marks the partitions a node's figures cover; false when one was covered already. */
    private static boolean cover(boolean[] covered, String partitions) {
        if (partitions.isEmpty()) {
            return true;
        }
        for (String p : partitions.split(",")) {
            int i = Integer.parseInt(p);
            if (i < 0 || i >= covered.length || covered[i]) {
                return false;
            }
            covered[i] = true;
        }
        return true;
    }

    private static Buffer json(JsonNode node) {
        try {
            return Buffer.buffer(JSON.writeValueAsBytes(node));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree that cannot be written", e);
        }
    }

    private static boolean async(RoutingContext ctx) {
        return "async".equals(ctx.request().getParam("mode"));
    }

    /**
     * Sends the request as received (with {@code body}) to the owner and relays its answer. An owner that
     * answers {@link #MISDIRECTED} (it gave {@code partition} up) makes this node read the assignment again;
     * with {@code retry}, the request then goes once to the new owner, or is answered here when there is none
     * other (as with no owner known: a write journaled here, a read answered by the engine). {@code partition}
     * {@link #WHOLE_BULK}: a bulk sent whole, split again after the refresh ({@link #resendBulk}).
     */
    private void relay(RoutingContext ctx, Owner owner, Buffer body, boolean write, int partition, boolean retry) {
        Context context = ctx.vertx().getOrCreateContext();
        send(ctx, owner.url(), body).onComplete(r -> {
            if (ctx.response().ended()) {
                return;
            }
            if (r.succeeded() && r.result().status() == MISDIRECTED && partition != -1) {
                misdirectedThere.increment();
                // Bounded: a slow broker must not hold the request past api.sync-timeout (the old view is used then).
                cluster.refreshNow().completeOnTimeout(null, REFRESH_WAIT_MS, TimeUnit.MILLISECONDS)
                        .whenComplete((v, e) -> context.runOnContext(x -> {
                            if (partition == WHOLE_BULK) {
                                resendBulk(ctx, retry);
                            } else {
                                resend(ctx, body, write, partition, retry);
                            }
                        }));
                return;
            }
            if (r.succeeded()) {
                forwarded.increment();
                answer(ctx, r.result());
            } else if (write && r.cause() instanceof Unreachable) {
                // Nothing reached the owner: journal it here (202 at api.sync-timeout unless the owner answers).
                unreachable.increment();
                ctx.next();
            } else {
                failedToForward(ctx, r.cause(), write);
            }
        });
    }

    /**
     * After a {@link #MISDIRECTED} answer to a bulk sent whole and a fresh directory: split again by the owners
     * known now and sent once more ({@link #postBulk}, no further retry), or journaled here.
     */
    private void resendBulk(RoutingContext ctx, boolean retry) {
        if (ctx.response().ended()) {
            return;
        }
        if (retry) {
            ctx.put(BULK_RESENT, Boolean.TRUE);
            postBulk(ctx);
        } else {
            ctx.next();
        }
    }

    /** After a {@link #MISDIRECTED} answer and a fresh directory: once more to the owner, or answered here. */
    private void resend(RoutingContext ctx, Buffer body, boolean write, int partition, boolean retry) {
        if (ctx.response().ended()) {
            return;
        }
        Owner now = remote(partition);
        // The same node again too: it may have been taking the partition when it answered.
        if (retry && now != null) {
            relay(ctx, now, body, write, partition, false);
        } else {
            ctx.next();
        }
    }

    /** Runs an answer's merge; an owner's answer it cannot read is a failed forward (503), never a hang. */
    private void guarded(RoutingContext ctx, boolean write, Runnable merge) {
        try {
            merge.run();
        } catch (RuntimeException e) {
            if (!ctx.response().ended()) {
                failedToForward(ctx, e, write);
            }
        }
    }

    private void failedToForward(RoutingContext ctx, Throwable cause, boolean write) {
        if (cause instanceof Unreachable) {
            unreachable.increment();
        } else {
            failed.increment();
        }
        HttpErrors.send(ctx, 503, "unavailable", write
                ? "the partition's owner did not answer in time; the event may have been journaled: retry with "
                + "the same id"
                : "the partition's owner cannot be reached right now (partitions are moving between nodes); "
                + "retry shortly");
    }

    private static void answer(RoutingContext ctx, Answer a) {
        var response = ctx.response().setStatusCode(a.status());
        for (Map.Entry<String, String> h : a.headers()) {
            response.putHeader(h.getKey(), h.getValue());
        }
        response.end(a.body());
    }

    /** The request as received (method, path and query, headers) with {@code body}, to {@code baseUrl}. */
    private Future<Answer> send(RoutingContext ctx, String baseUrl, Buffer body) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(ctx.request().headers());
        for (CharSequence h : HOP_HEADERS) {
            headers.remove(h);
        }
        headers.set(FORWARDED, cluster.nodeId());
        // The same route as asked (a split bulk's parts go to /events/bulk too).
        RequestOptions options = new RequestOptions().setMethod(ctx.request().method())
                .setAbsoluteURI(baseUrl + ctx.request().uri())
                .setHeaders(headers).setIdleTimeout(syncTimeoutMs + 1000);
        return client.request(options)
                .recover(e -> Future.failedFuture(new Unreachable(e)))
                .compose(req -> (body == null ? req.send() : req.send(body))
                        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), kept(resp.headers()), b,
                                resp.getHeader(PARTITIONS)))));
    }

    /** The answer's headers a client may rely on (the rest are the owner's connection's). */
    private static List<Map.Entry<String, String>> kept(MultiMap headers) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
            if (name.equals("content-type") || name.equals("retry-after") || name.equals("www-authenticate")) {
                out.add(h);
            }
        }
        return out;
    }

    /** An owner's answer. */
    private record Answer(int status, List<Map.Entry<String, String>> headers, Buffer body, String partitions) {
    }

    /** No connection to the owner: nothing was sent. */
    private static final class Unreachable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unreachable(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** This node's own part of a split bulk refused whole (the route's exception, as its cause). */
    private static final class LocalFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LocalFailure(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** A non-200 answer to a part of a split bulk: answered for the whole bulk. */
    private static final class WholeAnswer extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Answer answer;

        WholeAnswer(Answer answer) {
            super("status " + answer.status(), null, false, false);
            this.answer = answer;
        }
    }
}
