package dev.duet.signaling.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.duet.core.ParticipantId;
import dev.duet.core.SessionId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/** {@link RevocationMap}, loaded from a JSON-lines file at start and appended to (synced) on each revocation. */
public final class RevocationFile extends RevocationMap {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    public RevocationFile(Path file) {
        this.file = file;
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    load(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the ticket revocations in " + file, e);
        }
    }

    private void load(String line) {
        if (line.isBlank()) {
            return;
        }
        try {
            JsonNode n = JSON.readTree(line);
            super.revoke(SessionId.of(n.get("session").asText()), ParticipantId.of(n.get("participant").asText()),
                    Instant.parse(n.get("expiringUpTo").asText()));
        } catch (IOException | RuntimeException torn) {
            // a line cut short by a crash while it was written: its revocation was never acknowledged
        }
    }

    @Override
    public synchronized void revoke(SessionId session, ParticipantId participant, Instant expiringUpTo) {
        super.revoke(session, participant, expiringUpTo);
        ObjectNode line = JSON.createObjectNode().put("session", session.value()).put("participant", participant.value())
                .put("expiringUpTo", expiringUpTo.toString());
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            out.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
            out.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("could not record the revocation in " + file, e);
        }
    }

    @Override
    public String toString() {
        return "TicketRevocations[file " + file + "]";
    }
}
