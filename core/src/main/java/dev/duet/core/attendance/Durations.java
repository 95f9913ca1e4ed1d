package dev.duet.core.attendance;

import java.time.Duration;

/** Durations in words for reports and line items: "52 min 30 s", "1 h 5 min", "45 s". */
final class Durations {
    private Durations() {}

    static String words(Duration d) {
        long seconds = d.getSeconds();
        long h = seconds / 3600;
        long m = seconds % 3600 / 60;
        long s = seconds % 60;
        StringBuilder out = new StringBuilder();
        if (h > 0) {
            out.append(h).append(" h");
        }
        if (m > 0) {
            out.append(out.length() > 0 ? " " : "").append(m).append(" min");
        }
        if (s > 0 || out.length() == 0) {
            out.append(out.length() > 0 ? " " : "").append(s).append(" s");
        }
        return out.toString();
    }
}
