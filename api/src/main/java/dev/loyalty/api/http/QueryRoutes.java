package dev.loyalty.api.http;

import dev.loyalty.engine.LoyaltyEngine;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * {@code GET /customers/{id}}, {@code GET /customers/{id}/ledger} and {@code GET /stats} (api.md,
 * Customers and statistics). Shared by all event loops.
 */
final class QueryRoutes {

    static final int LEDGER_DEFAULT_LIMIT = 100;
    static final int LEDGER_MAX_LIMIT = 1000;
    static final int EXPIRING_DEFAULT = 3;
    static final int EXPIRING_MAX = 100;
    private static final int MAX_CUSTOMER_ID = 64;

    private final LoyaltyEngine engine;
    private final long timeoutMs;

    QueryRoutes(LoyaltyEngine engine, long timeoutMs) {
        this.engine = engine;
        this.timeoutMs = timeoutMs;
    }

    /** {@code GET /customers/{id}?expiring=N}: N expiry instants per account (0 leaves the field out). */
    void customer(RoutingContext ctx) {
        int expiring = (int) longParam(ctx, "expiring", EXPIRING_DEFAULT, 0, EXPIRING_MAX);
        String id = ctx.pathParam("id");
        if (!isCustomerId(id)) {
            unknownCustomer(ctx, id);
            return;
        }
        if (expiring == 0) {
            Await.read(ctx, engine.customer(id), timeoutMs, view -> {
                if (view == null) {
                    unknownCustomer(ctx, id);
                } else {
                    Responses.json(ctx, 200, JsonViews.customer(view));
                }
            });
            return;
        }
        Await.read(ctx, engine.customerDetail(id, expiring), timeoutMs, detail -> {
            if (detail == null) {
                unknownCustomer(ctx, id);
            } else {
                Responses.json(ctx, 200, JsonViews.customer(detail));
            }
        });
    }

    /** {@code GET /customers/{id}/ledger?limit=&before=}. */
    void ledger(RoutingContext ctx) {
        int limit = (int) longParam(ctx, "limit", LEDGER_DEFAULT_LIMIT, 1, LEDGER_MAX_LIMIT);
        // No cursor: everything is before the largest entry id.
        long before = longParam(ctx, "before", Long.MAX_VALUE, 1, Long.MAX_VALUE);
        String id = ctx.pathParam("id");
        if (!isCustomerId(id)) {
            unknownCustomer(ctx, id);
            return;
        }
        Await.read(ctx, engine.ledger(id, limit, before), timeoutMs, page -> {
            if (page == null) {
                unknownCustomer(ctx, id);
            } else {
                Responses.json(ctx, 200, JsonViews.ledger(page));
            }
        });
    }

    /** {@code GET /stats}. */
    void stats(RoutingContext ctx) {
        Responses.json(ctx, 200, JsonViews.stats(engine.stats()));
    }

    private static void unknownCustomer(RoutingContext ctx, String id) {
        HttpErrors.send(ctx, 404, "customer_not_found", "customer '" + id + "' does not exist");
    }

    /** An optional whole-number query parameter within [min, max], else {@code 400 invalid_field}. */
    private static long longParam(RoutingContext ctx, String name, long absent, long min, long max) {
        List<String> values = ctx.queryParam(name);
        if (values.isEmpty()) {
            return absent;
        }
        String text = values.get(0);
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw ApiException.invalidField(name, rangeText(min, max));
        }
        if (value < min || value > max) {
            throw ApiException.invalidField(name, rangeText(min, max));
        }
        return value;
    }

    private static String rangeText(long min, long max) {
        return max == Long.MAX_VALUE ? "must be a whole number of at least " + min
                : "must be a whole number from " + min + " to " + max;
    }

    /** api.md: 1–64 characters of {@code [A-Za-z0-9._:@-]}; any other id cannot exist. */
    static boolean isCustomerId(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_CUSTOMER_ID) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '@' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
