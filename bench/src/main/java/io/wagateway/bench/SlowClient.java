package io.wagateway.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Consumer;

/**
 * A WebSocket client that can stop reading: a plain {@link Socket} with a small receive buffer
 * (set before connect, so that the window it advertises stays small), the HTTP upgrade written
 * by hand, frames parsed by hand. A Vert.x client cannot be used for this: it reads its socket
 * whatever the application does, so the server would never see it fall behind.
 *
 * <p>Bytes are read into an own buffer and parsed into frames there; a frame counts as read
 * once it is complete in that buffer. When reading stops, a partial frame stays in the buffer
 * and is completed by the reads of {@link #drain}. Not thread-safe: one thread reads at a time
 * (the reader thread while it runs, then the caller of drain).
 */
final class SlowClient implements AutoCloseable {

    /** One server frame: opcode (1 text, 8 close, 9 ping, ...) and its payload. */
    record Frame(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The status code of a close frame; 1005 (none given) when it carries none. */
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
    }

    /** How a read ended. */
    enum Read { DATA, TIMEOUT, EOF, RESET }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket = new Socket();
    private InputStream in;
    private OutputStream out;
    private byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;
    /** A fragmented text message being put together (continuation frames). */
    private ByteArrayOutputStream fragments;
    private int fragmentsOpcode;
    /** Bytes read from the socket in all. */
    long bytesRead;
    /** Why the last read failed, when it did. */
    String readFailure;

    SlowClient(int receiveBuffer) throws IOException {
        socket.setReceiveBufferSize(receiveBuffer); // before connect: it decides the window scale of the SYN
        socket.setTcpNoDelay(true);
    }

    /** Connects and upgrades with the JWT as a Bearer header; fails unless the server answers 101. */
    void connect(String host, int port, String path, String jwt, int timeoutMillis) throws IOException {
        socket.connect(new InetSocketAddress(host, port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + host + ":" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "Authorization: Bearer " + jwt + "\r\n"
                + "\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        // the response head, up to the blank line; whatever follows it is the first frame bytes
        while (true) {
            int headEnd = indexOf(buffer, start, end, new byte[] {'\r', '\n', '\r', '\n'});
            if (headEnd >= 0) {
                String head = new String(buffer, start, headEnd - start, StandardCharsets.ISO_8859_1);
                start = headEnd + 4;
                if (!head.startsWith("HTTP/1.1 101")) {
                    throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(head));
                }
                return;
            }
            if (fill() != Read.DATA) {
                throw new IOException("no upgrade answer: " + (readFailure == null ? "connection closed" : readFailure));
            }
        }
    }

    int localPort() {
        return socket.getLocalPort();
    }

    void soTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** A text frame, masked as every client frame must be. */
    void sendText(String text) throws IOException {
        send(0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    void send(int opcode, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length <= 0xffff) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** One read from the socket into the buffer (waits up to the socket's timeout). */
    Read fill() {
        if (end == buffer.length) {
            if (start > 0) { // compact
                System.arraycopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            } else {
                buffer = java.util.Arrays.copyOf(buffer, buffer.length * 2);
            }
        }
        try {
            int n = in.read(buffer, end, buffer.length - end);
            if (n < 0) {
                return Read.EOF;
            }
            end += n;
            bytesRead += n;
            return Read.DATA;
        } catch (SocketTimeoutException e) {
            return Read.TIMEOUT;
        } catch (IOException e) {
            readFailure = e.toString();
            return Read.RESET;
        }
    }

    /**
     * The next complete frame in the buffer, or null when it holds none; continuation frames are
     * put together and handed over as one frame with the first frame's opcode. Control frames
     * (close, ping, pong) are handed over as they come.
     */
    Frame next() {
        while (true) {
            int available = end - start;
            if (available < 2) {
                return null;
            }
            int b0 = buffer[start] & 0xff;
            int b1 = buffer[start + 1] & 0xff;
            long length = b1 & 0x7f;
            int header = 2;
            if (length == 126) {
                if (available < 4) {
                    return null;
                }
                length = ((buffer[start + 2] & 0xffL) << 8) | (buffer[start + 3] & 0xffL);
                header = 4;
            } else if (length == 127) {
                if (available < 10) {
                    return null;
                }
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | (buffer[start + 2 + i] & 0xffL);
                }
                header = 10;
            }
            boolean masked = (b1 & 0x80) != 0; // a server never masks; unmask anyway if it did
            int maskAt = start + header;
            if (masked) {
                header += 4;
            }
            if (length > Integer.MAX_VALUE - 64 || available < header + length) {
                return null;
            }
            byte[] payload = java.util.Arrays.copyOfRange(buffer, start + header, start + header + (int) length);
            if (masked) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= buffer[maskAt + (i & 3)];
                }
            }
            start += header + (int) length;
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0f;
            if (opcode >= 0x8) {
                return new Frame(opcode, payload);
            }
            if (opcode != 0 && fin) {
                return new Frame(opcode, payload);
            }
            if (opcode != 0) {
                fragments = new ByteArrayOutputStream();
                fragmentsOpcode = opcode;
            }
            if (fragments != null) {
                fragments.write(payload, 0, payload.length);
                if (fin) {
                    Frame whole = new Frame(fragmentsOpcode, fragments.toByteArray());
                    fragments = null;
                    return whole;
                }
            }
        }
    }

    /**
     * Reads until the socket has nothing more (quiet for quietMillis), ends (EOF or reset) or
     * maxMillis passed, handing every complete frame to the consumer.
     *
     * @return how the reading ended
     */
    Read drain(Consumer<Frame> frames, int quietMillis, long maxMillis) throws IOException {
        soTimeout(quietMillis);
        long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        while (true) {
            for (Frame frame = next(); frame != null; frame = next()) {
                frames.accept(frame);
            }
            if (System.nanoTime() > deadline) {
                return Read.TIMEOUT;
            }
            Read read = fill();
            if (read != Read.DATA) {
                for (Frame frame = next(); frame != null; frame = next()) {
                    frames.accept(frame);
                }
                return read;
            }
        }
    }

    /** Bytes read but not yet a complete frame. */
    int buffered() {
        return end - start;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static int indexOf(byte[] data, int from, int to, byte[] pattern) {
        outer:
        for (int i = from; i <= to - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
