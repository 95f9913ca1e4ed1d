package dev.duet.signaling.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ModuleDescriptorTest {
    @Test
    void exportsTheApiTheTransportsAndTheWireProtocolAndInternalsOnlyToTheRelay() throws Exception {
        Path classes = Path.of(getClass().getProtectionDomain().getCodeSource().getLocation().toURI()).resolveSibling("classes");
        ModuleDescriptor d = ModuleFinder.of(classes).find("dev.duet.signaling.client").orElseThrow().descriptor();
        Map<String, Set<String>> exports = d.exports().stream()
                .collect(Collectors.toMap(ModuleDescriptor.Exports::source, ModuleDescriptor.Exports::targets));
        assertThat(exports).containsOnlyKeys("dev.duet.signaling.client", "dev.duet.signaling.client.relay",
                "dev.duet.signaling.client.pusher", "dev.duet.signaling.client.wire", "dev.duet.signaling.client.internal");
        assertThat(exports.get("dev.duet.signaling.client")).isEmpty();      // unqualified
        assertThat(exports.get("dev.duet.signaling.client.relay")).isEmpty();
        assertThat(exports.get("dev.duet.signaling.client.pusher")).isEmpty();
        assertThat(exports.get("dev.duet.signaling.client.wire")).containsExactly("dev.duet.signaling.server");
        assertThat(exports.get("dev.duet.signaling.client.internal")).containsExactly("dev.duet.signaling.server");
    }

    /**
     * No package cycle: the API types depend on nothing of the transport, the wire protocol on the
     * API only, the internals on both, and the relay transport on all three.
     */
    @Test
    void thePackagesAreLayeredApiThenWireThenInternalThenRelay() throws Exception {
        Path sources = Path.of("src/main/java/dev/duet/signaling/client");
        java.util.List<String> layers = java.util.List.of("", ".wire", ".internal", ".relay");
        for (int i = 0; i < layers.size(); i++) {
            Path dir = sources.resolve(layers.get(i).isEmpty() ? "" : layers.get(i).substring(1));
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    String text = java.nio.file.Files.readString(file);
                    for (String higher : layers.subList(i + 1, layers.size())) {
                        assertThat(text).as("%s must not use dev.duet.signaling.client%s", file, higher)
                                .doesNotContain("dev.duet.signaling.client" + higher + ".");
                    }
                }
            }
        }
    }
}
