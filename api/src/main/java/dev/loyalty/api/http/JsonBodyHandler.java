package dev.loyalty.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.Arrays;

/**
 * Reads a request's JSON body and hands it to the next handler ({@link #bytes}, or parsed by {@link #body}). Checks, in
 * api.md's order: content type ({@code 415} unless {@code application/json}, parameters allowed), size
 * ({@code 413} past the limit, from {@code Content-Length} before reading or while reading a chunked body:
 * nothing past the limit is ever buffered, and the connection closes soon after),
 * then a request signature if the key signs ({@code 401 invalid_signature}); the route then reads the JSON first thing ({@code 400 malformed_json}). Must run in the same event-loop turn as the request's arrival
 * (no asynchronous handler before it), so that no body chunk is missed. Event loop only.
 */
final class JsonBodyHandler implements Handler<RoutingContext> {

    private static final String BODY = "loyalty.body";
    private static final String TREE = "loyalty.body.tree";
    private static final byte[] EMPTY = new byte[0];
    /** A declared length is only a promise: preallocate at most this much before bytes arrive. */
    private static final int INITIAL_BUFFER_MAX = 64 * 1024;
    /** How long the rest of a refused body is drained before the connection closes. */
    static final long LINGER_MS = 2000;

    private final long maxBytes;
    private final RequestSignatures signatures;

    JsonBodyHandler(long maxBytes, RequestSignatures signatures) {
        this.maxBytes = maxBytes;
        this.signatures = signatures;
    }

    /** The body read by this handler earlier in the chain, as a tree: parsed at the first call. */
    static JsonNode body(RoutingContext ctx) {
        JsonNode tree = ctx.get(TREE);
        if (tree == null) {
            tree = JsonBodies.parse(bytes(ctx));
            ctx.put(TREE, tree);
        }
        return tree;
    }

    /** The body's bytes as received, for routes that stream them ({@link EventBodies}). */
    static byte[] bytes(RoutingContext ctx) {
        return ctx.get(BODY);
    }

    /**
     * Drops the request's hold on its body once the route has read all it needs: a sync bulk's body
     * (~100 KB for 100 events) would otherwise live until the bulk is answered, after the processors applied
     * it, and be copied by young collections as it survives them.
     */
    static void release(RoutingContext ctx) {
        ctx.remove(BODY);
        ctx.remove(TREE);
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (!isJson(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
            throw new ApiException(415, "unsupported_media_type",
                    "request body must be application/json (Content-Type header)");
        }
        long declared = declaredLength(request.getHeader(HttpHeaders.CONTENT_LENGTH));
        if (declared > maxBytes) {
            tooLarge(ctx);
            return;
        }
        if (request.isEnded()) {
            parsed(ctx, EMPTY);
            return;
        }
        if (HttpHeaders.CONTINUE.toString().equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            ctx.response().writeContinue();
        }
        // The declared length (nearly always there) sizes the array exactly: the body is copied once, from
        // Netty's chunks into the array the route reads, and no larger scratch buffer is made.
        Reading reading = new Reading((int) Math.min(declared >= 0 ? declared : 1024, INITIAL_BUFFER_MAX),
                declared);
        request.handler(chunk -> {
            if (reading.refused) {
                return;
            }
            if ((long) reading.length + chunk.length() > maxBytes) {
                reading.refused = true;
                tooLarge(ctx);
                return;
            }
            reading.append(chunk);
        });
        request.exceptionHandler(failure -> reading.refused = true); // connection gone: nobody to answer
        request.endHandler(v -> {
            if (!reading.refused) {
                try {
                    parsed(ctx, reading.take());
                } catch (RuntimeException e) {
                    ctx.fail(e);
                }
            }
        });
    }

    /**
     * A signed request's signature covers the bytes as received: checked before they are parsed. The JSON
     * is read by the route (as a tree via {@link #body}, or streamed from {@link #bytes}), first thing.
     */
    private void parsed(RoutingContext ctx, byte[] bytes) {
        signatures.verifyBody(ctx, bytes);
        ctx.put(BODY, bytes);
        ctx.next();
    }

    /**
     * Answers 413 and stops reading: the rest of the body is discarded (never buffered) until the request
     * ends or {@link #LINGER_MS} milliseconds pass, then the connection closes. Closing at once could make the kernel
     * reset the connection under a client still sending, and the client would never read the answer.
     */
    private void tooLarge(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        ctx.response().headers().set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        HttpErrors.send(ctx, 413, "payload_too_large", "request body is larger than " + maxBytes + " bytes");
        if (request.isEnded()) {
            request.connection().close();
            return;
        }
        long timerId = ctx.vertx().setTimer(LINGER_MS, id -> request.connection().close());
        request.handler(chunk -> { });
        request.endHandler(v -> {
            ctx.vertx().cancelTimer(timerId);
            request.connection().close();
        });
    }

    /** True for {@code application/json}, any case, with or without parameters such as a charset. */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
        return mediaType.equalsIgnoreCase("application/json");
    }

    /** The declared length, or -1 when absent or unreadable (Netty has rejected malformed ones already). */
    private static long declaredLength(String contentLength) {
        if (contentLength == null) {
            return -1;
        }
        try {
            return Long.parseLong(contentLength.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The body read so far and whether it was refused; touched only on the request's event loop. */
    private static final class Reading {
        boolean refused;
        private final long declared;
        private byte[] bytes;
        private int length;

        Reading(int initialBytes, long declared) {
            this.declared = declared;
            bytes = initialBytes == 0 ? EMPTY : new byte[initialBytes];
        }

        void append(Buffer chunk) {
            int n = chunk.length();
            int needed = length + n;
            if (needed > bytes.length) {
                // Bytes are arriving, so the declared length (already checked against the limit) is kept to:
                // grow to it at once, the body's final array (a 100 KB bulk was 64 KB, then 128 KB, then a
                // copy to its length). Past a declared length that proved false, double.
                int capacity = declared >= needed ? (int) declared : Math.max(needed, bytes.length * 2);
                bytes = Arrays.copyOf(bytes, capacity);
            }
            chunk.getBytes(0, n, bytes, length);
            length = needed;
        }

        /**
         * Hands the body over and forgets it (the request's handlers hold this object until the answer is
         * written): the array itself when the declared length was exact (the usual case), else a copy.
         */
        byte[] take() {
            byte[] body = length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
            bytes = EMPTY;
            return body;
        }
    }
}
