package dev.duet.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The tests' browsers, Debian's Chromium and Firefox ESR, each started headless on one URL with a
 * fake camera and microphone, no permission prompt, autoplay allowed, and real host addresses in
 * its ICE candidates (no mDNS names, which a Java peer cannot resolve). No driver: the page under
 * test reports what it sees by itself. Missing browsers skip locally and fail under {@code CI=true}
 * ({@link ProcessOutput#missing}).
 */
public enum HeadlessBrowser {
    CHROMIUM("chromium", List.of("/usr/lib/chromium/chromium", "/usr/bin/chromium")) {
        @Override
        List<String> command(Path binary, Path profile, String url) {
            return List.of(binary.toString(), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + profile, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                    "--disable-features=WebRtcHideLocalIpsWithMdns", "--autoplay-policy=no-user-gesture-required", url);
        }
    },
    FIREFOX("firefox-esr", List.of("/usr/lib/firefox-esr/firefox-esr", "/usr/bin/firefox-esr")) {
        @Override
        List<String> command(Path binary, Path profile, String url) throws IOException {
            Files.createDirectories(profile);
            Files.writeString(profile.resolve("user.js"), String.join("\n",
                    "user_pref(\"media.navigator.streams.fake\", true);",
                    "user_pref(\"media.navigator.permission.disabled\", true);",
                    "user_pref(\"media.peerconnection.ice.obfuscate_host_addresses\", false);",
                    // The tests' coturn relays on loopback; Firefox ignores loopback candidates unless told not to.
                    "user_pref(\"media.peerconnection.ice.loopback\", true);",
                    "user_pref(\"media.autoplay.default\", 0);",
                    "user_pref(\"browser.shell.checkDefaultBrowser\", false);",
                    "user_pref(\"datareporting.policy.dataSubmissionEnabled\", false);",
                    "user_pref(\"toolkit.telemetry.reportingpolicy.firstRun\", false);",
                    "user_pref(\"app.update.disabledForTesting\", true);",
                    "user_pref(\"network.captive-portal-service.enabled\", false);",
                    "user_pref(\"network.connectivity-service.enabled\", false);",
                    "user_pref(\"browser.startup.homepage_override.mstone\", \"ignore\");", ""));
            return List.of(binary.toString(), "--headless", "--no-remote", "--profile", profile.toString(), url);
        }
    };

    private final String packageName;
    private final List<String> binaries;

    HeadlessBrowser(String packageName, List<String> binaries) {
        this.packageName = packageName;
        this.binaries = binaries;
    }

    abstract List<String> command(Path binary, Path profile, String url) throws IOException;

    /** The browser's binary; skips (or fails under CI) when it is not installed. */
    public Path binary() {
        Optional<Path> found = binaries.stream().map(Path::of).filter(Files::isExecutable).findFirst();
        if (found.isEmpty()) {
            ProcessOutput.missing(packageName + " is not installed (Debian package " + packageName + "); .ci/run installs it",
                    "the browser tests");
        }
        return found.get();
    }

    /** Starts the browser on {@code url} with a fresh profile in {@code profile}; its output goes to {@code log}. */
    public Process launch(Path profile, String url, Path log) throws IOException {
        return new ProcessBuilder(command(binary(), profile, url)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Stops a browser and its whole process tree, so that none still writes to its profile. */
    public static void stop(Process browser) {
        List<ProcessHandle> children = browser.toHandle().descendants().toList();
        ProcessOutput.stop(browser);
        for (ProcessHandle child : children) {
            child.destroyForcibly();
            try {
                child.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // gone already, or stuck: the temp folder's cleanup says so if it matters
            }
        }
    }
}
