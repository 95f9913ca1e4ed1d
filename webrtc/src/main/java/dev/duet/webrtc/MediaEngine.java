package dev.duet.webrtc;

import dev.duet.webrtc.internal.NamedThreads;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioDeviceModuleBase;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native WebRTC engine shared by the calls of one process: a peer connection factory with its
 * audio device module, and one thread that feeds generated media. Create one per process (creating
 * a factory takes a few hundred milliseconds and its memory is not all given back), open many calls
 * on it, close it last.
 *
 * <h2>Kinds</h2>
 * <ul>
 *   <li>{@link #synthetic()}: libwebrtc's dummy audio layer. Sends generated audio
 *       ({@link LocalMedia.AudioInput.Tone}, {@link LocalMedia.AudioInput.Silence}); received audio
 *       is decoded but not played out, so prove it arrives from the media reports, not from sinks.
 *       For tests, demos and headless servers.</li>
 *   <li>{@link #headless()}: webrtc-java's headless audio device module, for receiving without a
 *       sound card: received audio is played out to nowhere, so remote audio sinks are fed. It sends
 *       no audio: measured with webrtc-java 0.14.0, a track from {@code createAudioSource} on this
 *       module sends no packet (with or without starting its recording), and generated audio on it
 *       aborts the JVM. A call on it may send video only.</li>
 *   <li>{@link #devices()}: the platform's audio device module: the real microphone and speakers.</li>
 * </ul>
 * One factory sends audio either from its device module or from generated sources, never both:
 * libwebrtc 0.14.0 aborts the whole JVM when both feed one sender. {@link DuetCall} therefore
 * refuses, before touching native code, generated audio on a device or headless engine, device audio
 * on a synthetic one, and any audio on a headless one.
 *
 * <h2>Lifecycle</h2>
 * {@link #close()} closes every call still open on the engine (each releases its native objects),
 * then stops playout and disposes the factory and the audio module, in that order. Idempotent. After
 * it, opening a call throws {@link IllegalStateException}. The JVM does not exit while an engine is
 * open. Thread-safe.
 */
public final class MediaEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MediaEngine.class);

    /** Which audio path the engine's factory uses; see the class comment. */
    public enum Kind { SYNTHETIC, HEADLESS, DEVICES }

    private final Kind kind;
    private final AudioDeviceModuleBase audioModule;
    private final PeerConnectionFactory factory;
    private final ScheduledExecutorService mediaThread;
    private final Set<DuetCall> calls = new LinkedHashSet<>();
    private long callsOpened;
    private boolean closed;

    private MediaEngine(Kind kind) {
        this.kind = kind;
        this.audioModule = switch (kind) {
            case SYNTHETIC -> new AudioDeviceModule(AudioLayer.kDummyAudio);
            case HEADLESS -> new HeadlessAudioDeviceModule();
            case DEVICES -> new AudioDeviceModule();
        };
        PeerConnectionFactory created;
        try {
            created = new PeerConnectionFactory(audioModule);
            if (kind != Kind.SYNTHETIC) {
                // After the factory: it initialises the module, and playout must run on top of that.
                audioModule.initPlayout();
                audioModule.startPlayout();
            }
        } catch (RuntimeException | Error e) {
            audioModule.dispose();
            throw e;
        }
        this.factory = created;
        this.mediaThread = Executors.newSingleThreadScheduledExecutor(NamedThreads.daemon("duet-media-" + kind.name().toLowerCase(java.util.Locale.ROOT)));
        log.debug("media engine {} created", kind);
    }

    /** An engine that sends generated media; see the class comment. */
    public static MediaEngine synthetic() {
        return new MediaEngine(Kind.SYNTHETIC);
    }

    /** An engine on webrtc-java's headless audio device module; see the class comment. */
    public static MediaEngine headless() {
        return new MediaEngine(Kind.HEADLESS);
    }

    /** An engine on the platform's audio devices; see the class comment. */
    public static MediaEngine devices() {
        return new MediaEngine(Kind.DEVICES);
    }

    public Kind kind() {
        return kind;
    }

    /** Calls opened on this engine so far, including closed ones (each closed call keeps some native memory). */
    public synchronized long callsOpened() {
        return callsOpened;
    }

    /** Calls open now. */
    public synchronized int openCalls() {
        return calls.size();
    }

    synchronized PeerConnectionFactory register(DuetCall call) {
        if (closed) {
            throw new IllegalStateException("the media engine is closed; create a new one");
        }
        calls.add(call);
        callsOpened++;
        return factory;
    }

    synchronized void unregister(DuetCall call) {
        calls.remove(call);
    }

    ScheduledExecutorService mediaThread() {
        return mediaThread;
    }

    @Override
    public void close() {
        List<DuetCall> open;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            open = new ArrayList<>(calls);
        }
        for (DuetCall call : open) {
            call.close();
        }
        mediaThread.shutdownNow();
        if (kind != Kind.SYNTHETIC) {
            audioModule.stopPlayout();
        }
        factory.dispose();
        audioModule.dispose();
        log.debug("media engine {} closed after {} calls", kind, callsOpened);
    }

    @Override
    public synchronized String toString() {
        return "MediaEngine[" + kind + ", open calls=" + calls.size() + ", opened=" + callsOpened + (closed ? ", closed" : "") + "]";
    }
}
