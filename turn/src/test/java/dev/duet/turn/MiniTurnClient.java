package dev.duet.turn;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Just enough of a TURN client (RFC 5766 over UDP, long-term credentials) to hold an allocation
 * open and refresh it, so the tests can see what coturn does when the credential behind an open
 * allocation expires. Not for production.
 */
final class MiniTurnClient implements AutoCloseable {
    private static final int MAGIC = 0x2112A442;
    private static final int ALLOCATE = 0x0003;
    private static final int REFRESH = 0x0004;
    private static final int ATTR_USERNAME = 0x0006;
    private static final int ATTR_INTEGRITY = 0x0008;
    private static final int ATTR_ERROR = 0x0009;
    private static final int ATTR_LIFETIME = 0x000D;
    private static final int ATTR_REALM = 0x0014;
    private static final int ATTR_NONCE = 0x0015;
    private static final int ATTR_TRANSPORT = 0x0019;

    private final DatagramSocket socket;
    private final int port;
    private final String username;
    private final String password;
    private String realm;
    private byte[] nonce;

    /** The outcome of a request: 200 for success, else the STUN error code (401, 438, ...). */
    record Reply(int code, int lifetime) {}

    MiniTurnClient(int port, String username, String password) throws IOException {
        this.socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        this.socket.setSoTimeout(2000);
        this.port = port;
        this.username = username;
        this.password = password;
    }

    /** Allocates a UDP relay for {@code lifetime} seconds (challenge first, then authenticated). */
    Reply allocate(int lifetime) throws Exception {
        Reply challenge = send(message(ALLOCATE, lifetime, false));
        if (challenge.code() != 401) {
            return challenge;
        }
        return send(message(ALLOCATE, lifetime, true));
    }

    /** Refreshes the allocation; a stale nonce (438) is retried once with the new nonce, as a client must. */
    Reply refresh(int lifetime) throws Exception {
        Reply reply = send(message(REFRESH, lifetime, true));
        staleNonces += reply.code() == 438 ? 1 : 0;
        return reply.code() == 438 ? send(message(REFRESH, lifetime, true)) : reply;
    }

    /** How many refreshes were first answered 438 (stale nonce). */
    int staleNonces;

    private byte[] message(int method, int lifetime, boolean authenticated) throws Exception {
        ByteBuffer attrs = ByteBuffer.allocate(512);
        if (method == ALLOCATE) {
            attribute(attrs, ATTR_TRANSPORT, new byte[] {17, 0, 0, 0});
        }
        attribute(attrs, ATTR_LIFETIME, ByteBuffer.allocate(4).putInt(lifetime).array());
        if (authenticated) {
            attribute(attrs, ATTR_USERNAME, username.getBytes(StandardCharsets.UTF_8));
            attribute(attrs, ATTR_REALM, realm.getBytes(StandardCharsets.UTF_8));
            attribute(attrs, ATTR_NONCE, nonce);
        }
        byte[] transaction = new byte[12];
        new SecureRandom().nextBytes(transaction);
        int bodyLength = attrs.position() + (authenticated ? 24 : 0);
        ByteBuffer msg = ByteBuffer.allocate(20 + bodyLength);
        msg.putShort((short) method).putShort((short) bodyLength).putInt(MAGIC).put(transaction);
        msg.put(attrs.array(), 0, attrs.position());
        if (authenticated) {
            byte[] key = MessageDigest.getInstance("MD5")
                    .digest((username + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8));
            Mac hmac = Mac.getInstance("HmacSHA1");
            hmac.init(new SecretKeySpec(key, "HmacSHA1"));
            byte[] integrity = hmac.doFinal(Arrays.copyOf(msg.array(), msg.position()));
            msg.putShort((short) ATTR_INTEGRITY).putShort((short) 20).put(integrity);
        }
        return msg.array();
    }

    private static void attribute(ByteBuffer b, int type, byte[] value) {
        b.putShort((short) type).putShort((short) value.length).put(value);
        while (b.position() % 4 != 0) {
            b.put((byte) 0);
        }
    }

    private Reply send(byte[] request) throws IOException {
        socket.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), port));
        byte[] buffer = new byte[2048];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return new Reply(-1, 0);
        }
        ByteBuffer r = ByteBuffer.wrap(buffer, 0, packet.getLength());
        int type = r.getShort() & 0xffff;
        int length = r.getShort() & 0xffff;
        r.position(20);
        int code = (type & 0x0110) == 0x0100 ? 200 : 0;
        int lifetime = 0;
        while (r.position() < 20 + length) {
            int attrType = r.getShort() & 0xffff;
            int attrLength = r.getShort() & 0xffff;
            byte[] value = new byte[attrLength];
            r.get(value);
            r.position(r.position() + ((4 - attrLength % 4) % 4));
            switch (attrType) {
                case ATTR_REALM -> realm = new String(value, StandardCharsets.UTF_8);
                case ATTR_NONCE -> nonce = value;
                case ATTR_ERROR -> code = (value[2] & 0x7) * 100 + (value[3] & 0xff);
                case ATTR_LIFETIME -> lifetime = ByteBuffer.wrap(value).getInt();
                default -> { }
            }
        }
        return new Reply(code, lifetime);
    }

    @Override
    public void close() {
        socket.close();
    }
}
