package dev.loyalty.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.json}: the contract of api.md as OpenAPI 3.1. The packaged {@code docs/openapi.yaml}
 * (the single source, copied into the jar by the build) is converted to JSON once at start and served
 * from memory. Thread-safe.
 */
final class OpenApiDocument {

    /** Where the build puts docs/openapi.yaml on the classpath. */
    static final String RESOURCE = "/openapi/openapi.yaml";

    /** The packaged document once converted (a failed conversion is not kept: the next caller tries again). */
    private static volatile OpenApiDocument packaged;

    private final byte[] json;

    private OpenApiDocument(byte[] json) {
        this.json = json;
    }

    /**
     * The packaged document, converted by the first caller (a start converts it on a side thread while the engine
     * opens; the API server's constructor then waits for that instead of converting it again).
     */
    static OpenApiDocument packaged() {
        OpenApiDocument doc = packaged;
        if (doc == null) {
            synchronized (OpenApiDocument.class) {
                doc = packaged;
                if (doc == null) {
                    doc = load();
                    packaged = doc;
                }
            }
        }
        return doc;
    }

    /** Reads and converts the packaged document; a program built without it cannot start. */
    static OpenApiDocument load() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the OpenAPI document " + RESOURCE + " is not on the classpath");
            }
            JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(in);
            return new OpenApiDocument(new ObjectMapper().writeValueAsBytes(tree));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the OpenAPI document " + RESOURCE, e);
        }
    }

    /** Answers the document in a Buffer of its own: a Buffer is not shared between event loops. */
    void serve(RoutingContext ctx) {
        Responses.json(ctx, 200, Buffer.buffer(json));
    }
}
