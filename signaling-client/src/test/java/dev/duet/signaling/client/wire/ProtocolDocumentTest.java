package dev.duet.signaling.client.wire;

import dev.duet.signaling.client.CloseCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/protocol.md cannot drift from the code: every JSON example in it is decoded and re-encoded by the codec. */
class ProtocolDocumentTest {
    private static final Path DOC = Path.of("..", "docs", "protocol.md");
    private static final Pattern JSON_BLOCK = Pattern.compile("```json\\n(.*?)\\n```", Pattern.DOTALL);

    private final FrameCodec codec = new FrameCodec();
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void everyExampleInTheProtocolDocumentIsAFrameTheCodecReadsAndWritesTheSame() throws Exception {
        List<String> examples = examples();
        assertThat(examples).hasSizeGreaterThan(15);
        for (String example : examples) {
            Frame frame;
            try {
                frame = codec.decode(example);
            } catch (ProtocolException e) {
                fail("docs/protocol.md example does not decode: " + e.getMessage() + "\n" + example);
                return;
            }
            JsonNode written = mapper.readTree(codec.encode(frame));
            assertThat(written).as("re-encoded example\n%s", example).isEqualTo(mapper.readTree(example));
        }
    }

    @Test
    void everyFrameTypeAndMessageTypeHasAnExample() throws Exception {
        Set<String> frameTypes = new HashSet<>();
        Set<String> messageTypes = new HashSet<>();
        for (String example : examples()) {
            JsonNode node = mapper.readTree(example);
            frameTypes.add(node.get("type").asText());
            if (node.has("msg")) {
                messageTypes.add(node.get("msg").get("type").asText());
            }
        }
        assertThat(frameTypes).containsExactlyInAnyOrder("join", "send", "ack", "leave", "ping", "joined", "peer-joined",
                "peer-left", "deliver", "accepted", "pong", "refused", "error");
        assertThat(messageTypes).containsExactlyInAnyOrder("ready", "offer", "answer", "candidates", "bye", "chat",
                "media-report");
    }

    @Test
    void everyErrorCodeIsDocumented() throws Exception {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        for (ProtocolError error : ProtocolError.values()) {
            assertThat(doc).as("error code %s in docs/protocol.md", error.code()).contains("| `" + error.code() + "` |");
        }
    }

    @Test
    void everyCloseCodeIsDocumentedOnItsOwnRow() throws Exception {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        String table = doc.substring(doc.indexOf("### 9.1 Close codes"), doc.indexOf("### 9.2"));
        for (CloseCode code : CloseCode.values()) {
            assertThat(table).as("close code %s in §9.1", code.code()).contains("| `" + code.code() + "` |");
        }
        assertThat(table).as("no ranges that overlap single codes").doesNotContain("`4400`–`4425`");
    }

    private static List<String> examples() throws Exception {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        Matcher m = JSON_BLOCK.matcher(doc);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
