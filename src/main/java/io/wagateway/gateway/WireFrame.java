package io.wagateway.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * A server text frame encoded once, as the bytes that go on the wire (RFC 6455 section 5.2: FIN,
 * opcode 1, the length, no mask, the UTF-8 payload), so that a pushed event costs one encoding
 * however many connections receive it. Connections write {@link ByteBuf#retainedDuplicate()}s of
 * it; Netty's WebSocket encoder only encodes frame objects and passes raw buffers through.
 */
final class WireFrame {

    private WireFrame() {
    }

    /** A direct buffer holding the whole frame; the caller owns its one reference. */
    static ByteBuf text(String text) {
        int length = ByteBufUtil.utf8Bytes(text);
        int header = length <= 125 ? 2 : length <= 0xFFFF ? 4 : 10;
        ByteBuf frame = ByteBufAllocator.DEFAULT.directBuffer(header + length);
        frame.writeByte(0x81); // FIN + text
        if (length <= 125) {
            frame.writeByte(length);
        } else if (length <= 0xFFFF) {
            frame.writeByte(126).writeShort(length);
        } else {
            frame.writeByte(127).writeLong(length);
        }
        ByteBufUtil.reserveAndWriteUtf8(frame, text, length);
        return frame;
    }
}
