package dev.duet.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java snippet in the README compiles against the current API: each becomes the body of a
 * method in a class whose fields are the snippet's free variables (a booking, a session URI, an
 * executor...), with the Duet packages imported. A snippet that names a method or constructor that
 * no longer exists fails here, with the compiler's message and the README line.
 */
class ReadmeSnippetsTest {
    private static final Path README = Path.of("../README.md");
    private static final Pattern JAVA_BLOCK = Pattern.compile("(?m)^```java\\n(.*?)^```", Pattern.DOTALL);

    private static final String HEADER = """
            import dev.duet.attendance.*;
            import dev.duet.core.*;
            import dev.duet.core.attendance.*;
            import dev.duet.core.negotiation.*;
            import dev.duet.signaling.client.*;
            import dev.duet.signaling.client.pusher.*;
            import dev.duet.signaling.client.relay.*;
            import dev.duet.signaling.server.*;
            import dev.duet.turn.*;
            import dev.duet.webrtc.*;
            import java.net.URI;
            import java.nio.file.Path;
            import java.time.*;
            import java.util.*;
            import java.util.concurrent.*;

            @SuppressWarnings("unused")
            abstract class %s {
                // The free variables the README's snippets use, as an app would have them.
                Booking booking;
                SessionId sessionId;
                ParticipantId participantId;
                URI sessionUri;
                String joinTicket;
                Executor callbackExecutor;
                Executor executor;
                ScheduledExecutorService scheduler;
                TurnServerAddress turnServer;
                TurnCredential turnCredential;
                String turnSecret;
                byte[] webhookSecret;
                byte[] hookSecret;
                URI hookUrl;
                BookingLookup bookings;
                JoinTicketVerifier verifier;
                JoinTicketVerifier ticketVerifier;
                Invoices invoices;
                String appId;
                String key;
                String secret;
                String socketId;
                String channelName;
                String rawBody;
                AttendanceStore store;

                abstract void respond(int status, String body);

                abstract String header(String name);

                abstract CompletableFuture<String> backendPost(String path, Map<String, String> form);

                interface Invoices {
                    void record(SessionReport report, Charge charge);
                }

                void snippet() throws Exception {
            %s
                }
            }
            """;

    @TempDir
    Path out;

    @Test
    void everyJavaSnippetInTheReadmeCompiles() throws IOException {
        String readme = Files.readString(README);
        Matcher m = JAVA_BLOCK.matcher(readme);
        List<JavaFileObject> sources = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        while (m.find()) {
            int line = readme.substring(0, m.start()).split("\n", -1).length + 1;
            String name = "ReadmeSnippetAtLine" + line;
            lines.add(line);
            String code = String.format(Locale.ROOT, HEADER, name, m.group(1).indent(8));
            sources.add(new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return code;
                }
            });
        }
        assertThat(sources).as("Java snippets found in the README").hasSizeGreaterThanOrEqualTo(5);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter output = new StringWriter();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        boolean compiled = javac.getTask(output, null, diagnostics,
                List.of("-classpath", classPath, "-d", out.toString(), "-proc:none", "-Xlint:none", "--release", "17"), null,
                sources).call();
        StringBuilder problems = new StringBuilder();
        diagnostics.getDiagnostics().forEach(d -> problems.append(d.getSource() == null ? "" : d.getSource().getName())
                .append(':').append(d.getLineNumber()).append(": ").append(d.getMessage(Locale.ROOT)).append('\n'));
        assertThat(compiled).as("the README's Java snippets (at README lines %s) compile; the compiler said:%n%s%s", lines,
                problems, output).isTrue();
        assertThat(new File(out.toFile(), "ReadmeSnippetAtLine" + lines.get(0) + ".class")).exists();
    }
}
