package dev.loyalty.api.http;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Answers rendered into pooled buffers go back to the pool: after their write, or at once when unwritable. */
@Timeout(60)
class PooledResponsesTest {

    private Vertx vertx;
    private int port;
    private final CompletableFuture<ByteBuf> sent = new CompletableFuture<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        router.post("/answer").handler(ctx -> {
            ByteBuf body = JsonViews.acceptedPooled(7);
            sent.complete(body);
            Responses.pooled(ctx, 202, body);
        });
        router.post("/twice").handler(ctx -> {
            Responses.pooled(ctx, 202, JsonViews.acceptedPooled(1));
            ByteBuf late = JsonViews.acceptedPooled(2);
            sent.complete(late);
            Responses.pooled(ctx, 202, late); // the response has ended: nothing is written, the buffer is released
        });
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        port = server.actualPort();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private HttpResponse<String> post(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitReleased(ByteBuf body) throws InterruptedException {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (body.refCnt() != 0 && System.nanoTime() < deadlineNs) {
            Thread.onSpinWait();
            Thread.sleep(1);
        }
        assertThat(body.refCnt()).as("reference count after the write").isZero();
    }

    @Test
    void shouldAnswerTheRenderedBytesAndReleaseTheBufferAfterTheWrite() throws Exception {
        HttpResponse<String> answer = post("/answer");
        assertThat(answer.statusCode()).isEqualTo(202);
        assertThat(answer.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(answer.body()).isEqualTo("{\"seq\":7,\"outcome\":\"accepted\"}");
        awaitReleased(sent.get(30, TimeUnit.SECONDS));
    }

    @Test
    void shouldReleaseABufferThatCannotBeWritten() throws Exception {
        HttpResponse<String> answer = post("/twice");
        assertThat(answer.body()).isEqualTo("{\"seq\":1,\"outcome\":\"accepted\"}");
        awaitReleased(sent.get(30, TimeUnit.SECONDS));
    }
}
