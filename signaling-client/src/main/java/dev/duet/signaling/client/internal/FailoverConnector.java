package dev.duet.signaling.client.internal;

import dev.duet.signaling.client.wire.Wire;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connects to the first of several relay addresses that answers: it stays with an address while
 * wires to it open, and moves to the next (in a ring) when one fails before it opened (the node is
 * down, or refuses). A wire that opened and later broke does not move it: the next attempt tries the
 * same address first, and moves on only if that one fails to open.
 */
public final class FailoverConnector implements Wire.Connector {
    private final List<Wire.Connector> connectors;
    private final AtomicInteger current = new AtomicInteger();

    public FailoverConnector(List<Wire.Connector> connectors) {
        if (connectors.isEmpty()) {
            throw new IllegalArgumentException("at least one relay address is needed");
        }
        this.connectors = List.copyOf(connectors);
    }

    /** The index of the address the next attempt goes to. */
    public int current() {
        return current.get();
    }

    @Override
    public void connect(Wire.Listener listener) {
        int index = current.get();
        connectors.get(index).connect(new Wire.Listener() {
            private volatile boolean opened;

            @Override
            public void onOpen(Wire wire) {
                opened = true;
                listener.onOpen(wire);
            }

            @Override
            public void onText(String text) {
                listener.onText(text);
            }

            @Override
            public void onClosed(int code, String reason) {
                moveOnUnlessOpened(index);
                listener.onClosed(code, reason);
            }

            @Override
            public void onFailure(Throwable cause) {
                moveOnUnlessOpened(index);
                listener.onFailure(cause);
            }

            private void moveOnUnlessOpened(int from) {
                if (!opened) {
                    current.compareAndSet(from, (from + 1) % connectors.size());
                }
            }
        });
    }
}
