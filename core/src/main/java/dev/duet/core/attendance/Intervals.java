package dev.duet.core.attendance;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A set of time, as sorted, disjoint, non-empty half-open intervals [start, end). Immutable. */
final class Intervals {
    record Span(Instant start, Instant end) {}

    static final Intervals EMPTY = new Intervals(List.of());

    private final List<Span> spans;

    private Intervals(List<Span> spans) {
        this.spans = spans;
    }

    /** The union of {@code spans} (any order, overlapping or touching spans merge; empty ones vanish). */
    static Intervals of(List<Span> spans) {
        List<Span> sorted = new ArrayList<>(spans.stream().filter(s -> s.end().isAfter(s.start())).toList());
        sorted.sort(Comparator.comparing(Span::start).thenComparing(Span::end));
        List<Span> merged = new ArrayList<>();
        for (Span s : sorted) {
            if (!merged.isEmpty() && !s.start().isAfter(merged.get(merged.size() - 1).end())) {
                Span last = merged.remove(merged.size() - 1);
                merged.add(new Span(last.start(), s.end().isAfter(last.end()) ? s.end() : last.end()));
            } else {
                merged.add(s);
            }
        }
        return new Intervals(List.copyOf(merged));
    }

    static Intervals of(Instant start, Instant end) {
        return of(List.of(new Span(start, end)));
    }

    Intervals union(Intervals other) {
        List<Span> all = new ArrayList<>(spans);
        all.addAll(other.spans);
        return of(all);
    }

    Intervals intersect(Intervals other) {
        List<Span> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < spans.size() && j < other.spans.size()) {
            Span a = spans.get(i);
            Span b = other.spans.get(j);
            Instant start = a.start().isAfter(b.start()) ? a.start() : b.start();
            Instant end = a.end().isBefore(b.end()) ? a.end() : b.end();
            if (end.isAfter(start)) {
                out.add(new Span(start, end));
            }
            if (a.end().isBefore(b.end())) {
                i++;
            } else {
                j++;
            }
        }
        return new Intervals(List.copyOf(out));
    }

    /** This set without {@code other}. */
    Intervals minus(Intervals other) {
        List<Span> out = new ArrayList<>();
        for (Span a : spans) {
            Instant cursor = a.start();
            for (Span b : other.spans) {
                if (!b.end().isAfter(cursor) || !b.start().isBefore(a.end())) {
                    continue;
                }
                if (b.start().isAfter(cursor)) {
                    out.add(new Span(cursor, b.start()));
                }
                cursor = b.end().isAfter(cursor) ? b.end() : cursor;
            }
            if (a.end().isAfter(cursor)) {
                out.add(new Span(cursor, a.end()));
            }
        }
        return of(out);
    }

    Duration total() {
        Duration sum = Duration.ZERO;
        for (Span s : spans) {
            sum = sum.plus(Duration.between(s.start(), s.end()));
        }
        return sum;
    }

    boolean isEmpty() {
        return spans.isEmpty();
    }

    List<Span> spans() {
        return spans;
    }
}
