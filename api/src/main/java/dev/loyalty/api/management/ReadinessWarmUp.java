package dev.loyalty.api.management;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Sends the management server one {@code GET /health/ready} of its own while the engine opens, so that the
 * path an orchestrator's first probe takes (Netty's HTTP codec, the router, the JSON reply) is loaded and run
 * once off the start's critical path: cold, that first answer took ~140-150 ms after the engine was ready. It
 * answers 503 then, like any probe during the open. Blocking: run it on a start thread, never an event loop.
 */
public final class ReadinessWarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(ReadinessWarmUp.class);
    private static final int TIMEOUT_MS = 2_000;
    private static final byte[] REQUEST = ("GET /health/ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    private ReadinessWarmUp() {
    }

    /**
     * One request to the server listening on {@code host:port} (a wildcard host is asked on loopback); reads the
     * whole answer. Failures are only logged at debug: the warm-up is an optimisation, never a start condition.
     */
    public static void probe(String host, int port) {
        try (Socket socket = new Socket()) {
            InetAddress address = InetAddress.getByName(host);
            if (address.isAnyLocalAddress()) {
                address = InetAddress.getLoopbackAddress();
            }
            socket.connect(new InetSocketAddress(address, port), TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            out.write(REQUEST);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[512];
            while (in.read(buffer) >= 0) {
                // the answer is discarded: only running the server's path mattered
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("management warm-up request to {}:{} failed", host, port, e);
        }
    }
}
