package dev.duet.examples;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What {@code mvn -Pdemo package} runs inside Maven's JVM: starts {@link CallDemo} in a JVM of
 * its own (native code, its own logging, its own exit) with this class's class path, passes its
 * output through, and ends Maven with the demo's exit code, so the README's command exits with
 * the codes {@link CallDemo} documents and prints no Maven stack trace.
 */
public final class DemoLauncher {
    private DemoLauncher() {}

    public static void main(String[] args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("-classpath");
        command.add(classPath());
        command.add(CallDemo.class.getName());
        command.addAll(Arrays.asList(args));
        Process demo = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT).start();
        Thread stopDemo = new Thread(demo::destroy, "duet-demo-stop");
        Runtime.getRuntime().addShutdownHook(stopDemo);
        Thread out = forward(demo.getInputStream(), System.out);
        Thread err = forward(demo.getErrorStream(), System.err);
        int code = demo.waitFor();
        out.join();
        err.join();
        Runtime.getRuntime().removeShutdownHook(stopDemo);
        System.out.flush();
        System.exit(code);
    }

    /**
     * The native library prints these while the JVM exits (its threads can no longer attach to a
     * JVM that is shutting down); they are harmless and not the demo's output.
     */
    static boolean nativeExitNoise(String line) {
        return line.equals("VM attach current thread failed") || line.matches("Failed to attach thread \\d+");
    }

    private static Thread forward(java.io.InputStream from, java.io.PrintStream to) {
        Thread t = new Thread(() -> {
            try (java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(from, java.nio.charset.StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (!nativeExitNoise(line)) {
                        to.println(line);
                    }
                }
            } catch (java.io.IOException e) {
                to.println("duet demo: lost the demo's output: " + e.getMessage());
            }
        }, "duet-demo-output");
        t.start();
        return t;
    }

    private static String classPath() throws URISyntaxException {
        if (DemoLauncher.class.getClassLoader() instanceof URLClassLoader loader) {
            List<String> entries = new ArrayList<>();
            for (URL url : loader.getURLs()) {
                entries.add(Path.of(url.toURI()).toString());
            }
            return String.join(File.pathSeparator, entries);
        }
        return System.getProperty("java.class.path");
    }
}
