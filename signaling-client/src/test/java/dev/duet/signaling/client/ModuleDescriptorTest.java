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
    void exportsTheApiAndTheWireProtocolOnlyAndItsInternalsOnlyToTheRelay() throws Exception {
        Path classes = Path.of(getClass().getProtectionDomain().getCodeSource().getLocation().toURI()).resolveSibling("classes");
        ModuleDescriptor d = ModuleFinder.of(classes).find("dev.duet.signaling.client").orElseThrow().descriptor();
        Map<String, Set<String>> exports = d.exports().stream()
                .collect(Collectors.toMap(ModuleDescriptor.Exports::source, ModuleDescriptor.Exports::targets));
        assertThat(exports).containsOnlyKeys("dev.duet.signaling.client", "dev.duet.signaling.client.wire",
                "dev.duet.signaling.client.internal");
        assertThat(exports.get("dev.duet.signaling.client")).isEmpty();      // unqualified
        assertThat(exports.get("dev.duet.signaling.client.wire")).isEmpty();
        assertThat(exports.get("dev.duet.signaling.client.internal")).containsExactly("dev.duet.signaling.server");
    }
}
