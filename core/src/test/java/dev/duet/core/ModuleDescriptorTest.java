package dev.duet.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The module's public surface is exactly its API packages; implementation stays unexported. */
class ModuleDescriptorTest {

    @Test
    void coreExportsOnlyItsApiPackagesAndNeedsOnlySlf4j() throws Exception {
        Path classes = Path.of(ModuleDescriptorTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolveSibling("classes");
        ModuleReference module = ModuleFinder.of(classes).find("dev.duet.core").orElseThrow();
        ModuleDescriptor descriptor = module.descriptor();
        assertThat(descriptor.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet()))
                .isEqualTo(Set.of("dev.duet.core", "dev.duet.core.attendance"));
        // The negotiation machinery and the helpers go to Duet's own modules only.
        java.util.Map<String, Set<String>> qualified = descriptor.exports().stream().filter(ModuleDescriptor.Exports::isQualified)
                .collect(Collectors.toMap(ModuleDescriptor.Exports::source, ModuleDescriptor.Exports::targets));
        assertThat(qualified).containsOnlyKeys("dev.duet.core.internal", "dev.duet.core.negotiation");
        assertThat(qualified.get("dev.duet.core.negotiation"))
                .containsExactlyInAnyOrder("dev.duet.signaling.client", "dev.duet.signaling.server", "dev.duet.webrtc");
        assertThat(qualified.get("dev.duet.core.internal")).allMatch(t -> t.startsWith("dev.duet."));
        assertThat(descriptor.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()))
                .isEqualTo(Set.of("java.base", "org.slf4j"));
    }

    @Test
    void theseTestsRunOnTheModulePathInsideTheNamedModule() {
        // core/pom.xml runs its tests on the module path: the descriptor alone must be enough at run time.
        assertThat(ModuleDescriptorTest.class.getModule().getName()).isEqualTo("dev.duet.core");
        assertThat(Booking.class.getModule().getDescriptor().isAutomatic()).isFalse();
    }
}
