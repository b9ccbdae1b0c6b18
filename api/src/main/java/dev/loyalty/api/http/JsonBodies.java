package dev.loyalty.api.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.loyalty.engine.event.EventReader;

import java.io.IOException;

/**
 * Parses request bodies into Jackson trees, the validator's input. Decimals are {@link java.math.BigDecimal}
 * (money is never binary floating point); trailing content after the value, a repeated object key (which
 * would make "the same body" ambiguous for idempotency) and nesting deeper than {@value #MAX_DEPTH} are
 * {@code 400 malformed_json}. Thread-safe.
 */
public final class JsonBodies {

    /** Deepest accepted nesting of objects and arrays in a request body. */
    public static final int MAX_DEPTH = EventReader.MAX_DEPTH; // one bound for the tree and the streamed reads

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private JsonBodies() {
    }

    /**
     * The parsed body.
     *
     * @throws ApiException 400 malformed_json when empty (or only whitespace) or not valid JSON
     */
    public static JsonNode parse(byte[] body) {
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (IOException | NumberFormatException | ArithmeticException e) {
            throw unreadable(e);
        }
        if (node == null || node.isMissingNode()) {
            throw empty();
        }
        return node;
    }

    /** 400 for a body that holds no JSON value. */
    static ApiException empty() {
        return new ApiException(400, "malformed_json", "request body is empty");
    }

    /** 400 for what a JSON parser threw reading a body (not valid JSON, or a number out of any range). */
    static ApiException unreadable(Exception e) {
        if (e instanceof JsonProcessingException invalid) {
            return new ApiException(400, "malformed_json", "request body is not valid JSON: " + describe(invalid));
        }
        if (e instanceof NumberFormatException || e instanceof ArithmeticException) {
            // Valid JSON, but a number no decimal can hold (an exponent past the int range, 1e4000000000).
            return new ApiException(400, "invalid_field", "request body holds a number out of any usable range");
        }
        return new ApiException(400, "malformed_json", "request body is not valid JSON");
    }

    private static String describe(JsonProcessingException e) {
        String what = e.getOriginalMessage();
        if (what == null) {
            what = "unreadable";
        }
        int newline = what.indexOf('\n');
        if (newline >= 0) {
            what = what.substring(0, newline);
        }
        if (what.length() > 200) {
            what = what.substring(0, 200) + "…";
        }
        JsonLocation at = e.getLocation();
        return at == null ? what : what + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }
}
