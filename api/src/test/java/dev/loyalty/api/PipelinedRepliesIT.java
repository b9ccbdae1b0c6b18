package dev.loyalty.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Synchronous answers completed by the processors and written from the event loop's reply drain
 * ({@code http.ReplyLoop}): bursts of pipelined requests on several connections at once are all answered,
 * each connection's in its request order, and a connection closed in the middle of its burst costs the
 * others nothing. Raw sockets, since HTTP clients do not pipeline. The sync timeout is far beyond the
 * sockets' read timeout, so the deadline sweep cannot stand in for an answer the drain lost. Also the {@code mode} query, read as it
 * stands when it is exactly {@code mode=sync} or {@code mode=async} and decoded otherwise, and copies of one event sent
 * on several connections at once (one event, the rest its duplicates).
 */
@Timeout(180)
class PipelinedRepliesIT {

    private static final String KEY = "pipe-key";
    private static final int BURST = 100;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** One thread per connection, so the bursts overlap (the common pool may have a single thread on 2 cores). */
    private static final ExecutorService CLIENTS = Executors.newFixedThreadPool(4);

    private static Path home;
    private static Program program;
    private static int port;

    @BeforeAll
    @Timeout(180)
    static void start() throws Exception {
        home = Files.createTempDirectory("pipelined-replies-it");
        port = TestFolders.freePort();
        program = TestPrograms.startReady(home, """
                api:
                  host: 127.0.0.1
                  sync-timeout: 10m
                  keys:
                    - name: all
                      key: pipe-key
                      scopes: [ingest, read, admin]
                partitions: 2
                """, port);
    }

    @AfterAll
    @Timeout(120)
    static void stop() {
        CLIENTS.shutdownNow();
        if (program != null) {
            program.close();
        }
        TestFolders.deleteRecursively(home);
    }

    @Test
    void shouldAnswerEveryPipelinedRequestInOrderOnEachConnection() throws Exception {
        List<CompletableFuture<List<Reply>>> connections = new ArrayList<>();
        for (String prefix : List.of("pa", "pb", "pc", "pd")) {
            connections.add(CompletableFuture.supplyAsync(() -> burst(prefix, BURST, BURST), CLIENTS));
        }
        for (int c = 0; c < connections.size(); c++) {
            List<Reply> replies = connections.get(c).get(120, TimeUnit.SECONDS);
            String prefix = List.of("pa", "pb", "pc", "pd").get(c);
            assertThat(replies).hasSize(BURST);
            long lastSeq = -1;
            for (int i = 0; i < BURST; i++) {
                Reply r = replies.get(i);
                assertThat(r.status()).as("answer %d of %s: %s", i, prefix, r.body()).isEqualTo(200);
                // One request at a time per connection, so each answer is its own request's, in order.
                assertThat(r.json().path("customer").path("id").asText()).isEqualTo(prefix + "-" + i);
                long seq = r.json().path("seq").asLong();
                assertThat(seq).as("seq of answer %d of %s", i, prefix).isGreaterThan(lastSeq);
                lastSeq = seq;
            }
        }
    }

    @Test
    void shouldKeepAnsweringTheOtherConnectionsWhenOneClosesMidBurst() throws Exception {
        CompletableFuture<List<Reply>> quitter = CompletableFuture.supplyAsync(() -> burst("qa", BURST, 3), CLIENTS);
        CompletableFuture<List<Reply>> stayer = CompletableFuture.supplyAsync(() -> burst("qb", BURST, BURST), CLIENTS);
        assertThat(quitter.get(120, TimeUnit.SECONDS)).hasSize(3);
        List<Reply> replies = stayer.get(120, TimeUnit.SECONDS);
        assertThat(replies).hasSize(BURST);
        for (int i = 0; i < BURST; i++) {
            assertThat(replies.get(i).status()).isEqualTo(200);
            assertThat(replies.get(i).json().path("customer").path("id").asText()).isEqualTo("qb-" + i);
        }
        // The server is unharmed: a new connection is answered as usual.
        List<Reply> after = burst("qc", 1, 1);
        assertThat(after.get(0).status()).isEqualTo(200);
    }

    @Test
    void shouldReadTheModeQueryTheSameWhetherDecodedOrNot() {
        Reply sync = single("/events?mode=sync", "m-1");
        assertThat(sync.status()).isEqualTo(200);
        assertThat(sync.json().has("customer")).as("the outcome, not accepted: %s", sync.body()).isTrue();
        Reply async = single("/events?mode=async", "m-2");
        assertThat(async.status()).isEqualTo(202);
        assertThat(async.json().path("outcome").asText()).isEqualTo("accepted");
        assertThat(single("/events?mode=%61sync", "m-3").status()).as("decoded: async").isEqualTo(202);
        assertThat(single("/events?mode=sync&mode=async", "m-4").status()).as("the first value counts").isEqualTo(200);
        assertThat(single("/events?other=1", "m-5").status()).as("no mode: sync").isEqualTo(200);
        Reply later = single("/events?mode=later", "m-6");
        assertThat(later.status()).isEqualTo(400);
        assertThat(later.json().path("error").path("code").asText()).isEqualTo("invalid_field");
    }

    /**
     * Several connections sending the same event (same id and body) at once, so that the copies race through the
     * id index on both event loops (and would share a turn's record, had the turn's requests been journaled
     * together: README, step 9, tried and not kept): every copy is answered, one as
     * the event ({@code duplicate: false}), the others as its duplicates (same seq: 200 with {@code duplicate: true},
     * or 202 while it is pending), never a second event.
     */
    @Test
    void shouldAnswerCopiesOfOneEventSentAtOnceAsOneEventAndItsDuplicates() throws Exception {
        int copies = 8;
        for (int round = 0; round < 20; round++) {
            String customer = "copy-" + round;
            String body = "{\"customer\":\"" + customer + "\",\"action\":\"opt_in\",\"id\":\"copy-id-" + round + "\"}";
            byte[] request = ("POST /events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: " + KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8);
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int c = 0; c < copies; c++) {
                    Socket socket = new Socket("127.0.0.1", port);
                    socket.setSoTimeout(60_000);
                    socket.setTcpNoDelay(true);
                    sockets.add(socket);
                }
                for (Socket socket : sockets) { // back to back: the copies arrive within microseconds
                    socket.getOutputStream().write(request);
                }
                int originals = 0;
                List<Long> seqs = new ArrayList<>();
                for (Socket socket : sockets) {
                    Reply r = Reply.read(socket.getInputStream());
                    assertThat(r.status()).as("round %d: %s", round, r.body()).isIn(200, 202);
                    seqs.add(r.json().path("seq").asLong());
                    if (r.status() == 200 && !r.json().path("duplicate").asBoolean()) {
                        originals++;
                    }
                }
                assertThat(originals).as("round %d: answers as the event itself", round).isEqualTo(1);
                assertThat(seqs).as("round %d: one seq for all copies", round).containsOnly(seqs.get(0));
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
        }
    }

    /** One opt_in of {@code customer} to {@code target} on a new connection. */
    private static Reply single(String target, String customer) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write(request(target, customer).getBytes(StandardCharsets.UTF_8));
            return Reply.read(socket.getInputStream());
        } catch (IOException e) {
            throw new IllegalStateException(target + " failed", e);
        }
    }

    private static String request(String target, String customer) {
        String body = "{\"customer\":\"" + customer + "\",\"action\":\"opt_in\"}";
        return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: " + KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    /**
     * Sends {@code count} opt_ins of customers {@code prefix-0 ..} in one write on a new connection, reads
     * {@code read} answers, then closes the connection (possibly with answers still to come).
     */
    private static List<Reply> burst(String prefix, int count, int read) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000); // fail, never hang, when an answer is lost
            StringBuilder requests = new StringBuilder();
            for (int i = 0; i < count; i++) {
                requests.append(request("/events", prefix + "-" + i));
            }
            socket.getOutputStream().write(requests.toString().getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            List<Reply> replies = new ArrayList<>();
            for (int i = 0; i < read; i++) {
                replies.add(Reply.read(in));
            }
            return replies;
        } catch (IOException e) {
            throw new IllegalStateException("burst " + prefix + " failed", e);
        }
    }

    /** One HTTP/1.1 answer with a Content-Length body. */
    private record Reply(int status, String body) {

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        static Reply read(InputStream in) throws IOException {
            String statusLine = line(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            int length = 0;
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                String lower = header.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(lower.substring("content-length:".length()).trim());
                }
            }
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                throw new EOFException("answer body cut short");
            }
            return new Reply(status, new String(body, StandardCharsets.UTF_8));
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new EOFException("connection closed before a full answer");
                }
                if (b != '\r') {
                    bytes.write(b);
                }
            }
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
