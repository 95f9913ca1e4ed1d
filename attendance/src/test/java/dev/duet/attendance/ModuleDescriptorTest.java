package dev.duet.attendance;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A billing backend's module: one exported package, and nothing of the relay, the network or WebRTC required. */
class ModuleDescriptorTest {
    @Test
    void exportsOnlyItsApiAndRequiresNoRelayNetworkOrNativeModule() throws Exception {
        Path classes = Path.of(getClass().getProtectionDomain().getCodeSource().getLocation().toURI()).resolveSibling("classes");
        ModuleDescriptor d = ModuleFinder.of(classes).find("dev.duet.attendance").orElseThrow().descriptor();
        assertThat(d.exports()).singleElement().satisfies(e -> {
            assertThat(e.source()).isEqualTo("dev.duet.attendance");
            assertThat(e.isQualified()).isFalse();
        });
        assertThat(d.packages()).contains("dev.duet.attendance.internal");
        assertThat(d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()))
                .isEqualTo(Set.of("java.base", "dev.duet.core", "java.sql", "java.net.http", "com.fasterxml.jackson.databind",
                        "org.slf4j"));
    }
}
