package dev.duet.testing;

import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests that open peer connections call {@link #requireUsableInterface} first. libwebrtc ignores
 * loopback, so those tests need a non-loopback interface (found by duet-webrtc's {@code HostNetwork}); but a build
 * host's own interface must not carry test traffic unless its owner says so. So the tests use a
 * non-loopback interface only
 * <ul>
 *   <li>inside a network namespace the run created ({@code .ci/netns-run.sh} sets
 *       {@code DUET_IN_NETNS=1}), or</li>
 *   <li>when the user opts in: environment variable {@code DUET_TEST_HOST_NETWORK=1}, or system
 *       property {@code -Dduet.test.hostNetwork=true} (Maven passes {@code -D} properties on to the
 *       tests).</li>
 * </ul>
 * Otherwise they skip with a message that says how to run them; under {@code CI=true} the skip is a
 * failure.
 */
public final class TestNetwork {
    public static final String NETNS_MARK = "DUET_IN_NETNS";
    public static final String OPT_IN_ENV = "DUET_TEST_HOST_NETWORK";
    public static final String OPT_IN_PROPERTY = "duet.test.hostNetwork";

    private TestNetwork() {}

    /** What the tests may do here. */
    public sealed interface Verdict {
        record Run(InetAddress address) implements Verdict {}

        record Skip(String message) implements Verdict {}
    }

    /** The interface address to use, given the one found on this host; skips or fails the test otherwise. */
    public static InetAddress requireUsableInterface(Optional<InetAddress> found) {
        Verdict verdict = decide(System.getenv(), System.getProperty(OPT_IN_PROPERTY), found);
        if (verdict instanceof Verdict.Run run) {
            return run.address();
        }
        String message = ((Verdict.Skip) verdict).message();
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(message + "; under CI=true these tests must run");
        }
        Assumptions.abort(message + "; skipping");
        throw new AssertionError("unreachable");
    }

    /** The decision, from the environment, the opt-in property and the interface found (if any). */
    public static Verdict decide(Map<String, String> env, String optInProperty, Optional<InetAddress> address) {
        boolean inNamespace = "1".equals(env.get(NETNS_MARK));
        boolean optedIn = "1".equals(env.get(OPT_IN_ENV)) || "true".equalsIgnoreCase(env.get(OPT_IN_ENV))
                || "true".equalsIgnoreCase(optInProperty);
        if (!inNamespace && !optedIn) {
            return new Verdict.Skip("the WebRTC tests send media over a non-loopback interface, and this host's own"
                    + " interface is not used for test traffic unless you opt in. Run them inside a network namespace:"
                    + " .ci/netns-run.sh mvn -o -B verify (needs root), or opt in to this host's interface with "
                    + OPT_IN_ENV + "=1 or -D" + OPT_IN_PROPERTY + "=true");
        }
        if (address.isEmpty()) {
            return new Verdict.Skip("no non-loopback IPv4 interface: libwebrtc ignores loopback, so peer connections"
                    + " cannot connect. Run the tests inside .ci/netns-run.sh (a network namespace with a veth pair)");
        }
        return new Verdict.Run(address.get());
    }
}
