package dev.duet.webrtc.internal;

import dev.duet.core.MediaDirection;
import dev.duet.core.MediaKind;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * What one {@code getStats} result says about media, reduced to plain numbers: per direction and
 * kind, cumulative counters (summed over streams) and the latest gauges; plus whether the selected
 * candidate pair is relayed. Built from the raw report by {@link #from(long, Map)}, which takes the stats
 * as webrtc-java delivers them (id → type name and attributes) so tests can feed it plain maps.
 */
public record MediaCounters(long timestampMicros, Map<MediaDirection, Map<MediaKind, Stream>> streams, boolean relayed,
        OptionalDouble pairRoundTripMs) {

    /** One direction and kind. Counters are cumulative since the peer connection started. */
    public record Stream(long packets, long bytes, long frames, long packetsLost, long samples,
            OptionalDouble jitterMs, OptionalDouble roundTripMs, OptionalDouble fractionLost,
            OptionalDouble framesPerSecond, OptionalInt width, OptionalInt height) {

        static final Stream NONE = new Stream(0, 0, 0, 0, 0, OptionalDouble.empty(), OptionalDouble.empty(),
                OptionalDouble.empty(), OptionalDouble.empty(), OptionalInt.empty(), OptionalInt.empty());
    }

    /** One entry of a stats report. */
    public record Entry(String type, Map<String, Object> attributes) {}

    public Stream stream(MediaDirection direction, MediaKind kind) {
        return streams.getOrDefault(direction, Map.of()).getOrDefault(kind, Stream.NONE);
    }

    /**
     * Reads a report: {@code inbound-rtp}, {@code outbound-rtp} and {@code remote-inbound-rtp}
     * entries by {@code kind}; the transport's selected pair for {@code relayed} and its round trip.
     * Type names are webrtc-java's {@code RTCStatsType} names ({@code INBOUND_RTP}, ...).
     */
    public static MediaCounters from(long timestampMicros, Map<String, Entry> report) {
        Map<MediaDirection, Map<MediaKind, Stream>> streams = new EnumMap<>(MediaDirection.class);
        Map<MediaKind, Entry> remoteInbound = new EnumMap<>(MediaKind.class);
        for (Entry entry : report.values()) {
            if (entry.type().equals("REMOTE_INBOUND_RTP")) {
                kind(entry).ifPresent(k -> remoteInbound.put(k, entry));
            }
        }
        for (Entry entry : report.values()) {
            Optional<MediaKind> kind = kind(entry);
            if (kind.isEmpty()) {
                continue;
            }
            Map<String, Object> a = entry.attributes();
            if (entry.type().equals("INBOUND_RTP")) {
                Stream s = new Stream(count(a, "packetsReceived"), count(a, "bytesReceived"), count(a, "framesDecoded"),
                        Math.max(0, count(a, "packetsLost")), count(a, "totalSamplesReceived"),
                        scaled(a, "jitter", 1000), OptionalDouble.empty(), OptionalDouble.empty(),
                        gauge(a, "framesPerSecond"), size(a, "frameWidth"), size(a, "frameHeight"));
                merge(streams, MediaDirection.INBOUND, kind.get(), s);
            } else if (entry.type().equals("OUTBOUND_RTP")) {
                Entry remote = remoteInbound.get(kind.get());
                Map<String, Object> r = remote == null ? Map.of() : remote.attributes();
                Stream s = new Stream(count(a, "packetsSent"), count(a, "bytesSent"), count(a, "framesEncoded"),
                        Math.max(0, count(r, "packetsLost")), 0, OptionalDouble.empty(),
                        scaled(r, "roundTripTime", 1000), gauge(r, "fractionLost"),
                        gauge(a, "framesPerSecond"), size(a, "frameWidth"), size(a, "frameHeight"));
                merge(streams, MediaDirection.OUTBOUND, kind.get(), s);
            }
        }
        boolean relayed = false;
        OptionalDouble pairRtt = OptionalDouble.empty();
        for (Entry entry : report.values()) {
            if (!entry.type().equals("TRANSPORT") || !(entry.attributes().get("selectedCandidatePairId") instanceof String pairId)) {
                continue;
            }
            Entry pair = report.get(pairId);
            if (pair == null) {
                continue;
            }
            pairRtt = scaled(pair.attributes(), "currentRoundTripTime", 1000);
            Entry local = pair.attributes().get("localCandidateId") instanceof String id ? report.get(id) : null;
            Entry remote = pair.attributes().get("remoteCandidateId") instanceof String id ? report.get(id) : null;
            relayed = isRelay(local) || isRelay(remote);
        }
        return new MediaCounters(timestampMicros, streams, relayed, pairRtt);
    }

    /** Whether {@code candidate} (a local or remote candidate entry) is a relay candidate (TURN). */
    public static boolean isRelay(Entry candidate) {
        return candidate != null && "relay".equals(candidate.attributes().get("candidateType"));
    }

    private static void merge(Map<MediaDirection, Map<MediaKind, Stream>> streams, MediaDirection d, MediaKind k, Stream s) {
        streams.computeIfAbsent(d, x -> new EnumMap<>(MediaKind.class)).merge(k, s, (x, y) -> new Stream(
                x.packets + y.packets, x.bytes + y.bytes, x.frames + y.frames, x.packetsLost + y.packetsLost,
                x.samples + y.samples, max(x.jitterMs, y.jitterMs), max(x.roundTripMs, y.roundTripMs),
                max(x.fractionLost, y.fractionLost), max(x.framesPerSecond, y.framesPerSecond),
                x.width.isPresent() ? x.width : y.width, x.height.isPresent() ? x.height : y.height));
    }

    private static OptionalDouble max(OptionalDouble a, OptionalDouble b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() ? a : OptionalDouble.of(Math.max(a.getAsDouble(), b.getAsDouble()));
    }

    private static Optional<MediaKind> kind(Entry entry) {
        Object kind = entry.attributes().get("kind");
        if ("audio".equals(kind)) {
            return Optional.of(MediaKind.AUDIO);
        }
        return "video".equals(kind) ? Optional.of(MediaKind.VIDEO) : Optional.empty();
    }

    private static long count(Map<String, Object> a, String name) {
        return a.get(name) instanceof Number n ? n.longValue() : 0;
    }

    private static OptionalDouble gauge(Map<String, Object> a, String name) {
        return a.get(name) instanceof Number n && Double.isFinite(n.doubleValue()) && n.doubleValue() >= 0
                ? OptionalDouble.of(n.doubleValue()) : OptionalDouble.empty();
    }

    private static OptionalDouble scaled(Map<String, Object> a, String name, double factor) {
        OptionalDouble value = gauge(a, name);
        return value.isPresent() ? OptionalDouble.of(value.getAsDouble() * factor) : value;
    }

    private static OptionalInt size(Map<String, Object> a, String name) {
        return a.get(name) instanceof Number n && n.longValue() >= 1 && n.longValue() <= 16384
                ? OptionalInt.of(n.intValue()) : OptionalInt.empty();
    }
}
