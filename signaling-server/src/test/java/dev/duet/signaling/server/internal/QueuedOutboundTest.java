package dev.duet.signaling.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class QueuedOutboundTest {
    /** Records each write with the thread it ran on, and completes it at once. */
    private static final class Recording implements QueuedOutbound.FrameWriter {
        final List<String> written = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();

        @Override
        public synchronized void write(String text, Consumer<Throwable> done) {
            written.add(text);
            threads.add(Thread.currentThread());
            done.accept(null);
        }

        @Override
        public void close(int code, String reason) {
            written.add("close " + code);
        }
    }

    @Test
    void framesQueuedWhileHandlingAFrameAreWrittenInOrderOnThatThreadAfterItsWork() {
        Recording a = new Recording();
        Recording b = new Recording();
        List<Runnable> handedOff = new ArrayList<>();
        AtomicLong total = new AtomicLong();
        QueuedOutbound toA = new QueuedOutbound(a, handedOff::add, 1 << 20, total, () -> {});
        QueuedOutbound toB = new QueuedOutbound(b, handedOff::add, 1 << 20, total, () -> {});

        QueuedOutbound.deferringWrites(() -> {
            toA.send("accepted 1");
            toB.send("deliver 1");
            toA.send("accepted 2");
            assertThat(a.written).as("nothing written while the work (and its locks) runs").isEmpty();
            QueuedOutbound.deferringWrites(() -> toB.send("deliver 2")); // nested: the outer call writes
            assertThat(b.written).isEmpty();
        });

        assertThat(a.written).containsExactly("accepted 1", "accepted 2");
        assertThat(b.written).containsExactly("deliver 1", "deliver 2");
        assertThat(a.threads).containsOnly(Thread.currentThread());
        assertThat(handedOff).as("no hand-off to another thread").isEmpty();
        assertThat(total.get()).as("every queued byte released once written").isZero();
    }

    @Test
    void outsideAFramesHandlingTheWritesGoToTheExecutor() {
        Recording a = new Recording();
        List<Runnable> handedOff = new ArrayList<>();
        QueuedOutbound toA = new QueuedOutbound(a, handedOff::add, 1 << 20, new AtomicLong(), () -> {});
        toA.send("pong 1");
        toA.send("pong 2");
        assertThat(a.written).isEmpty();
        assertThat(handedOff).hasSize(1);
        handedOff.get(0).run();
        assertThat(a.written).containsExactly("pong 1", "pong 2");
    }
}
