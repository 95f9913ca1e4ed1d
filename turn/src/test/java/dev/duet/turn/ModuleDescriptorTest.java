package dev.duet.turn;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ModuleDescriptorTest {
    @Test
    void exportsOnlyTheTurnApiAndNeedsTheDatabaseDriversOnlyOptionally() throws Exception {
        Path classes = Path.of(getClass().getProtectionDomain().getCodeSource().getLocation().toURI()).resolveSibling("classes");
        ModuleDescriptor d = ModuleFinder.of(classes).find("dev.duet.turn").orElseThrow().descriptor();
        assertThat(d.exports()).singleElement().satisfies(e -> assertThat(e.source()).isEqualTo("dev.duet.turn"));
        assertThat(d.requires().stream().filter(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC))
                .map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("org.xerial.sqlitejdbc", "redis.clients.jedis");
    }
}
