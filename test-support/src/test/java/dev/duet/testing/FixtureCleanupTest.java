package dev.duet.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process fixtures leave no temp directory behind. */
class FixtureCleanupTest {
    @Test
    void deleteTreeRemovesNestedFiles(@TempDir Path parent) throws Exception {
        Path dir = Files.createDirectories(parent.resolve("duet-x/a/b"));
        Files.writeString(dir.resolve("f.txt"), "x");
        Files.writeString(parent.resolve("duet-x/g.txt"), "y");
        ProcessOutput.deleteTree(parent.resolve("duet-x"));
        assertThat(parent.resolve("duet-x")).doesNotExist();
        ProcessOutput.deleteTree(parent.resolve("duet-x")); // gone already: no error
    }

    @Test
    void redisFixtureDeletesItsDirectoryOnClose() throws Exception {
        Path dir;
        try (RedisProcess redis = RedisProcess.start()) {
            dir = redis.dir();
            assertThat(dir).isDirectory();
        }
        assertThat(dir).doesNotExist();
    }
}
