package dev.loyalty.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Reads the engine's own figures while load runs: {@code /metrics} on the management port (journal head,
 * partitions' applied seq and lag, events processed, heap) and {@code GET /stats} (events applied,
 * members). Blocking; called from the harness's reporting thread only, about once a second.
 */
final class EngineProbe {

    /** One reading; NaN (or -1 for counts) where the engine did not answer. */
    record Sample(long atNs, double journalLastSeq, double minAppliedSeq, double maxLag, double processed,
                  double heapUsedBytes, long eventsApplied, long members) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI metrics;
    private final URI stats;
    private final String apiKey;

    /**
     * @param management base URL of the management port, or null to skip {@code /metrics}
     * @param api        base URL of the API, or null to skip {@code /stats}
     */
    EngineProbe(String management, String api, String apiKey) {
        this.metrics = management == null ? null : URI.create(strip(management) + "/metrics");
        this.stats = api == null ? null : URI.create(strip(api) + "/stats");
        this.apiKey = apiKey;
    }

    private static String strip(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    Sample sample() {
        long at = System.nanoTime();
        double last = Double.NaN;
        double minApplied = Double.NaN;
        double lag = Double.NaN;
        double processed = Double.NaN;
        double heap = Double.NaN;
        if (metrics != null) {
            String text = get(metrics, false);
            if (text != null) {
                PromText p = new PromText(text);
                last = p.sum("loyalty_journal_last_seq");
                minApplied = p.min("loyalty_partition_applied_seq");
                lag = p.max("loyalty_partition_lag_records");
                processed = p.sum("loyalty_events_processed_total");
                heap = p.sum("jvm_memory_used_bytes", "area=\"heap\"");
            }
        }
        long applied = -1;
        long members = -1;
        if (stats != null) {
            String text = get(stats, true);
            if (text != null) {
                try {
                    JsonNode s = JSON.readTree(text);
                    applied = s.path("events_applied").asLong(-1);
                    members = s.path("members").path("total").asLong(-1);
                } catch (IOException e) {
                    // leave -1
                }
            }
        }
        return new Sample(at, last, minApplied, lag, processed, heap, applied, members);
    }

    private String get(URI uri, boolean withKey) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
        if (withKey) {
            b.header("X-Api-Key", apiKey);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
