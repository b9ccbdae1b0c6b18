package dev.loyalty.bench;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A blocking HTTP/1.1 client over one keep-alive loopback connection that allocates nothing per request
 * (reused byte arrays, ASCII bodies), so {@code -prof gc} of an in-process benchmark counts the server's
 * allocation, not the client's. Answers must carry {@code content-length}; one thread only.
 */
final class LoopbackClient implements Closeable {

    private static final byte[] CONTENT_LENGTH = "\ncontent-length:".getBytes(StandardCharsets.US_ASCII);

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final byte[] host;
    private final byte[] key;
    private byte[] request = new byte[64 * 1024];
    private final byte[] response = new byte[1 << 20];

    LoopbackClient(int port, String apiKey) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = socket.getInputStream();
        host = ("127.0.0.1:" + port).getBytes(StandardCharsets.US_ASCII);
        key = apiKey.getBytes(StandardCharsets.US_ASCII);
    }

    /** Posts the ASCII {@code body} to {@code path}; returns the status; anything but 2xx throws. */
    int post(String path, CharSequence body) {
        int at = 0;
        at = put("POST ", at);
        at = put(path, at);
        at = put(" HTTP/1.1\r\nHost: ", at);
        at = put(host, at);
        at = put("\r\nContent-Type: application/json\r\nX-Api-Key: ", at);
        at = put(key, at);
        at = put("\r\nContent-Length: ", at);
        at = putDecimal(body.length(), at);
        at = put("\r\n\r\n", at);
        at = put(body, at);
        try {
            out.write(request, 0, at);
            out.flush();
            return readResponse();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int put(CharSequence text, int at) {
        int n = text.length();
        if (at + n > request.length) {
            byte[] bigger = new byte[Math.max(request.length * 2, at + n)];
            System.arraycopy(request, 0, bigger, 0, at);
            request = bigger;
        }
        for (int i = 0; i < n; i++) {
            request[at + i] = (byte) text.charAt(i);
        }
        return at + n;
    }

    private int putDecimal(int value, int at) {
        int digits = 1;
        for (int v = value; v >= 10; v /= 10) {
            digits++;
        }
        for (int i = at + digits - 1; i >= at; i--) {
            request[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        return at + digits;
    }

    private int put(byte[] bytes, int at) {
        System.arraycopy(bytes, 0, request, at, bytes.length);
        return at + bytes.length;
    }

    /** Reads one answer: head up to the blank line, then content-length bytes. */
    private int readResponse() throws IOException {
        int filled = 0;
        int headEnd = -1;
        while (headEnd < 0) {
            int n = in.read(response, filled, response.length - filled);
            if (n < 0) {
                throw new IOException("connection closed by the server");
            }
            filled += n;
            headEnd = indexOfBlankLine(filled);
        }
        int status = (response[9] - '0') * 100 + (response[10] - '0') * 10 + (response[11] - '0');
        int length = contentLength(headEnd);
        int total = headEnd + length;
        while (filled < total) {
            int n = in.read(response, filled, total - filled);
            if (n < 0) {
                throw new IOException("connection closed by the server mid-answer");
            }
            filled += n;
        }
        if (status < 200 || status >= 300) {
            throw new IllegalStateException("HTTP " + status + ": "
                    + new String(response, headEnd, length, StandardCharsets.UTF_8));
        }
        return status;
    }

    /** The offset after the head's terminating blank line, or -1. */
    private int indexOfBlankLine(int filled) {
        for (int i = 3; i < filled; i++) {
            if (response[i] == '\n' && response[i - 1] == '\r' && response[i - 2] == '\n' && response[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    private int contentLength(int headEnd) throws IOException {
        byte[] name = CONTENT_LENGTH;
        outer:
        for (int i = 0; i + name.length < headEnd; i++) {
            for (int j = 0; j < name.length; j++) {
                if (Character.toLowerCase(response[i + j]) != name[j]) {
                    continue outer;
                }
            }
            int value = 0;
            for (int k = i + name.length; k < headEnd; k++) {
                byte b = response[k];
                if (b >= '0' && b <= '9') {
                    value = value * 10 + (b - '0');
                } else if (b == '\r') {
                    return value;
                }
            }
        }
        throw new IOException("answer without content-length");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
