package dev.duet.core.negotiation;

import dev.duet.core.NegotiationState;
import dev.duet.core.internal.Checks;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one {@link NegotiationMachine}: hands it events, runs its timer commands on an injected
 * {@link TaskScheduler} (firing {@link NegotiationEvent.TimerFired} back into the machine), and
 * passes every other command, in order, to the adapter.
 *
 * <p><b>Threads.</b> Not thread-safe by design: {@link #post} and the scheduler's tasks must all run
 * on the session's one serial thread. Native and network callbacks do nothing but hand their event
 * to that thread, which calls {@code post}.
 *
 * <p><b>Lifecycle.</b> Live until the machine reaches {@link NegotiationState#CLOSED}; from then on
 * {@code post} ignores events (late callbacks of closed native objects are normal) and returns
 * {@code false}, and no timer is left pending. An event the machine's state does not allow
 * propagates as {@link IllegalNegotiationEventException} from {@code post}, with nothing changed.
 * An exception thrown by the adapter propagates too: the commands after it are not run.
 */
public final class NegotiationDriver {
    private static final Logger log = LoggerFactory.getLogger(NegotiationDriver.class);

    private final NegotiationMachine machine;
    private final TaskScheduler scheduler;
    private final Consumer<NegotiationCommand> adapter;
    private final Map<TimerKind, Pending> timers = new EnumMap<>(TimerKind.class);
    private long ignoredAfterClose;

    private record Pending(TimerKey key, TaskScheduler.Cancellable task) {}

    /**
     * @param machine   the machine to drive; nothing else may call its {@code handle}
     * @param scheduler runs timer tasks on the session's thread
     * @param adapter   carries out every command other than {@code StartTimer} and {@code CancelTimer}
     */
    public NegotiationDriver(NegotiationMachine machine, TaskScheduler scheduler, Consumer<NegotiationCommand> adapter) {
        this.machine = Checks.notNull(machine, "machine");
        this.scheduler = Checks.notNull(scheduler, "scheduler");
        this.adapter = Checks.notNull(adapter, "adapter");
    }

    /**
     * Hands {@code event} to the machine and carries out what it commands, in order.
     *
     * @return false when the session is already closed and the event was ignored
     * @throws IllegalNegotiationEventException if the machine's state does not allow the event
     */
    public boolean post(NegotiationEvent event) {
        Checks.notNull(event, "event");
        if (machine.state() == NegotiationState.CLOSED) {
            ignoredAfterClose++;
            return false;
        }
        List<NegotiationCommand> commands = machine.handle(event);
        for (NegotiationCommand command : commands) {
            if (command instanceof NegotiationCommand.StartTimer start) {
                start(start);
            } else if (command instanceof NegotiationCommand.CancelTimer cancel) {
                Pending pending = timers.get(cancel.key().kind());
                if (pending != null && pending.key().equals(cancel.key())) {
                    timers.remove(cancel.key().kind());
                    pending.task().cancel();
                }
            } else {
                if (command instanceof NegotiationCommand.StateChanged change && log.isDebugEnabled()) {
                    log.debug("{}: {} -> {} ({})", machine.self(), change.from(), change.to(), change.why());
                }
                adapter.accept(command);
            }
        }
        return true;
    }

    private void start(NegotiationCommand.StartTimer start) {
        TimerKey key = start.key();
        Pending previous = timers.remove(key.kind());
        if (previous != null) {
            previous.task().cancel();
        }
        TaskScheduler.Cancellable task = scheduler.schedule(start.delay(), () -> {
            Pending current = timers.get(key.kind());
            if (current != null && current.key().equals(key)) {
                timers.remove(key.kind());
                post(new NegotiationEvent.TimerFired(key));
            }
        });
        timers.put(key.kind(), new Pending(key, task));
    }

    public NegotiationMachine machine() {
        return machine;
    }

    /** Timers started and not yet fired or cancelled. */
    public int pendingTimers() {
        return timers.size();
    }

    /** Events ignored because the session had closed. */
    public long ignoredAfterClose() {
        return ignoredAfterClose;
    }
}
