package dev.duet.signaling.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ModuleDescriptorTest {
    @Test
    void exportsOnlyTheServerApi() throws Exception {
        Path classes = Path.of(getClass().getProtectionDomain().getCodeSource().getLocation().toURI()).resolveSibling("classes");
        ModuleDescriptor d = ModuleFinder.of(classes).find("dev.duet.signaling.server").orElseThrow().descriptor();
        assertThat(d.exports()).singleElement().satisfies(e -> {
            assertThat(e.source()).isEqualTo("dev.duet.signaling.server");
            assertThat(e.isQualified()).isFalse();
        });
        assertThat(d.packages()).contains("dev.duet.signaling.server.internal");
    }
}
