package dev.duet.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The WebRTC tests never use the host's own interface unless the run made a namespace or the user opted in. */
class TestNetworkTest {
    private static final Optional<InetAddress> HOST_ADDRESS = Optional.of(InetAddress.getLoopbackAddress());

    @Test
    void hostInterfaceIsNotUsedWithoutNamespaceOrOptIn() {
        TestNetwork.Verdict v = TestNetwork.decide(Map.of(), null, HOST_ADDRESS);
        assertThat(v).isInstanceOf(TestNetwork.Verdict.Skip.class);
        assertThat(((TestNetwork.Verdict.Skip) v).message())
                .contains(".ci/netns-run.sh", "DUET_TEST_HOST_NETWORK=1", "-Dduet.test.hostNetwork=true");
    }

    @Test
    void insideTheRunsNamespaceTheInterfaceIsUsed() {
        assertThat(TestNetwork.decide(Map.of("DUET_IN_NETNS", "1"), null, HOST_ADDRESS))
                .isEqualTo(new TestNetwork.Verdict.Run(HOST_ADDRESS.get()));
    }

    @Test
    void optInByEnvironmentOrProperty() {
        assertThat(TestNetwork.decide(Map.of("DUET_TEST_HOST_NETWORK", "1"), null, HOST_ADDRESS))
                .isInstanceOf(TestNetwork.Verdict.Run.class);
        assertThat(TestNetwork.decide(Map.of(), "true", HOST_ADDRESS)).isInstanceOf(TestNetwork.Verdict.Run.class);
        assertThat(TestNetwork.decide(Map.of("DUET_TEST_HOST_NETWORK", "0"), "false", HOST_ADDRESS))
                .isInstanceOf(TestNetwork.Verdict.Skip.class);
    }

    @Test
    void optedInButNoInterfaceSkipsWithTheNamespaceHint() {
        TestNetwork.Verdict v = TestNetwork.decide(Map.of("DUET_IN_NETNS", "1"), null, Optional.empty());
        assertThat(((TestNetwork.Verdict.Skip) v).message()).contains("no non-loopback IPv4 interface");
    }
}
