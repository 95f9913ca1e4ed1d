package dev.duet.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ModuleDescriptorTest {
    @Test
    void exportsOnlyThePeerApi() throws Exception {
        Path classes = Path.of(getClass().getProtectionDomain().getCodeSource().getLocation().toURI()).resolveSibling("classes");
        ModuleDescriptor d = ModuleFinder.of(classes).find("dev.duet.webrtc").orElseThrow().descriptor();
        assertThat(d.exports()).singleElement().satisfies(e -> {
            assertThat(e.source()).isEqualTo("dev.duet.webrtc");
            assertThat(e.isQualified()).isFalse();
        });
        assertThat(d.packages()).contains("dev.duet.webrtc.internal");
    }
}
