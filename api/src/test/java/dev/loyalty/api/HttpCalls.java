package dev.loyalty.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A small blocking HTTP/1.1 client for the integration tests; answers carry the parsed JSON body. Every
 * exchange is held to docs/openapi.yaml ({@link OpenApiContract}).
 */
final class HttpCalls {

    static final String JSON = "application/json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String base;

    HttpCalls(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** An HTTP answer; {@code json} is null when the body is not JSON. */
    record Answer(int status, HttpHeaders headers, String body, JsonNode json) {

        String errorCode() {
            return json == null ? null : json.path("error").path("code").asText(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    }

    Answer get(String path, String key) {
        HttpRequest.Builder b = request(path).GET();
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return send(b);
    }

    Answer post(String path, String key, String body) {
        return post(path, key, JSON, body);
    }

    Answer post(String path, String key, String contentType, String body) {
        HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b);
    }

    /** POSTs a body of unknown length (chunked transfer encoding). */
    Answer postChunked(String path, String key, byte[] body) {
        return send(request(path)
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", JSON)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));
    }

    Answer send(HttpRequest.Builder builder) {
        try {
            HttpRequest request = builder.build();
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            OpenApiContract.check(request, r);
            JsonNode json = null;
            if (r.headers().firstValue("Content-Type").orElse("").startsWith(JSON) && !r.body().isEmpty()) {
                json = MAPPER.readTree(r.body());
            }
            return new Answer(r.statusCode(), r.headers(), r.body(), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
