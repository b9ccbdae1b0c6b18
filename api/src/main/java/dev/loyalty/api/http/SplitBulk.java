package dev.loyalty.api.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of a split bulk, without a JSON tree: a part's body is the request's own bytes of its slots'
 * events, and the bulk's answer puts the parts' answers back together, part {@code k} having held the
 * request's slots {@code partSlots.get(k)} (in request order) and answered them in the same order in its
 * {@code results}: every slot's answer is copied as its part wrote it, at its place in the request, however
 * the parts were split or in whichever order they completed. Where the elements of a JSON array lie is found
 * by a token scan ({@link #elements}) that builds no values.
 */
final class SplitBulk {

    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] EVENTS_OPEN = "{\"events\":[".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "]}".getBytes(StandardCharsets.US_ASCII);

    private SplitBulk() {
    }

    /** Where one element of a JSON array lies in its document, and whether it is an object with an error. */
    record Element(int start, int end, boolean error) {
    }

    /**
     * The elements of the array in the top-level object's field {@code field}, in order.
     *
     * @throws IllegalStateException when {@code json} is not an object holding such an array
     */
    static List<Element> elements(byte[] json, String field) {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalStateException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean wanted = field.equals(p.currentName());
                JsonToken value = p.nextToken();
                if (wanted && value == JsonToken.START_ARRAY) {
                    return elements(p);
                }
                p.skipChildren();
            }
            throw new IllegalStateException("no array " + field);
        } catch (IOException e) {
            throw new IllegalStateException("unreadable JSON: " + e.getMessage(), e);
        }
    }

    /**
     * The string in the top-level object's field {@code field} (the first such field), or null when it has none,
     * holds another type there, or {@code json} is not a readable object (the route answers such bodies).
     */
    static String topLevelString(byte[] json, String field) {
        if (json == null) {
            return null;
        }
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean wanted = field.equals(p.currentName());
                JsonToken value = p.nextToken();
                if (wanted) {
                    return value == JsonToken.VALUE_STRING ? p.getText() : null;
                }
                p.skipChildren();
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The top-level {@code customer} string of each element of a bulk's {@code events} array, in order (null for an
     * element without one, or that is not an object); empty when {@code json} is not a readable bulk (the route
     * answers such bodies). One token scan; nothing else of the events is read.
     */
    static List<String> eventCustomers(byte[] json) {
        List<String> out = new ArrayList<>();
        if (json == null) {
            return out;
        }
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return out;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean events = "events".equals(p.currentName());
                JsonToken value = p.nextToken();
                if (events && value == JsonToken.START_ARRAY) {
                    JsonToken t;
                    while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
                        out.add(t == JsonToken.START_OBJECT ? customerOf(p) : null);
                        if (t != JsonToken.START_OBJECT) {
                            p.skipChildren();
                        }
                    }
                    return out;
                }
                p.skipChildren();
            }
            return out;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The object's top-level {@code customer} string, the parser left at the object's end. */
    private static String customerOf(JsonParser p) throws IOException {
        String customer = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean wanted = customer == null && "customer".equals(p.currentName());
            JsonToken value = p.nextToken();
            if (wanted && value == JsonToken.VALUE_STRING) {
                customer = p.getText();
            } else {
                p.skipChildren();
            }
        }
        return customer;
    }

    private static List<Element> elements(JsonParser p) throws IOException {
        List<Element> out = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new IllegalStateException("the array does not end");
            }
            int start = (int) p.currentTokenLocation().getByteOffset();
            boolean error = false;
            if (t == JsonToken.START_OBJECT) {
                // Only the element's own fields are looked at; whatever they hold is skipped unread.
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    error |= "error".equals(p.currentName());
                    p.nextToken();
                    p.skipChildren();
                }
            } else if (t == JsonToken.START_ARRAY) {
                p.skipChildren();
            } else {
                p.finishToken(); // a string's end is found only once it is read
            }
            out.add(new Element(start, (int) p.currentLocation().getByteOffset(), error));
        }
        return out;
    }

    /** The body of a bulk of the request's slots {@code slots}, their events copied from {@code request}. */
    static Buffer part(byte[] request, List<Element> events, List<Integer> slots) {
        int size = EVENTS_OPEN.length + CLOSE.length + slots.size();
        for (int i : slots) {
            size += events.get(i).end() - events.get(i).start();
        }
        Buffer out = Buffer.buffer(size).appendBytes(EVENTS_OPEN);
        for (int j = 0; j < slots.size(); j++) {
            Element e = events.get(slots.get(j));
            if (j > 0) {
                out.appendByte((byte) ',');
            }
            out.appendBytes(request, e.start(), e.end() - e.start());
        }
        return out.appendBytes(CLOSE);
    }

    /**
     * The bulk's answer ({@code total}, {@code errors}, {@code results} in request order), as one node answers it.
     *
     * @throws IllegalStateException when a part's answer has no {@code results} matching its slots (not an answer
     *                               this engine gives: the caller answers 503 rather than a wrong bulk)
     */
    static Buffer merge(int total, List<List<Integer>> partSlots, List<byte[]> partAnswers) {
        byte[][] from = new byte[total][];
        Element[] at = new Element[total];
        int errors = 0;
        int size = 0;
        for (int k = 0; k < partSlots.size(); k++) {
            List<Integer> s = partSlots.get(k);
            byte[] answer = partAnswers.get(k);
            List<Element> results = elements(answer, "results");
            if (results.size() != s.size()) {
                throw new IllegalStateException("part " + k + "'s answer has " + results.size() + " results for its "
                        + s.size() + " slots");
            }
            for (int j = 0; j < s.size(); j++) {
                Element e = results.get(j);
                from[s.get(j)] = answer;
                at[s.get(j)] = e;
                errors += e.error() ? 1 : 0;
                size += e.end() - e.start() + 1;
            }
        }
        byte[] head = ("{\"total\":" + total + ",\"errors\":" + errors + ",\"results\":[")
                .getBytes(StandardCharsets.US_ASCII);
        Buffer out = Buffer.buffer(head.length + size + CLOSE.length).appendBytes(head);
        for (int i = 0; i < total; i++) {
            if (at[i] == null) {
                throw new IllegalStateException("slot " + i + " is in no part");
            }
            if (i > 0) {
                out.appendByte((byte) ',');
            }
            out.appendBytes(from[i], at[i].start(), at[i].end() - at[i].start());
        }
        return out.appendBytes(CLOSE);
    }
}
