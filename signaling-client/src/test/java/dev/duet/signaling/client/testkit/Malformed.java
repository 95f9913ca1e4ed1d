package dev.duet.signaling.client.testkit;

import java.util.List;
import java.util.Random;

/** Seeded generator of hostile and broken frames: truncations, wrong types, huge, unknown types, garbage. */
public final class Malformed {
    private Malformed() {}

    public static String frame(Random r, List<String> valid) {
        String base = valid.get(r.nextInt(valid.size()));
        return switch (r.nextInt(12)) {
            case 0 -> base.substring(0, r.nextInt(base.length()));                              // truncated JSON
            case 1 -> base.replaceFirst("\"v\":1", "\"v\":\"1\"");                               // wrong type
            case 2 -> base.replaceFirst("\"type\":\"[a-z-]+\"", "\"type\":\"x" + r.nextInt(1000) + "\"");  // unknown type
            case 3 -> base.replaceFirst(":(\\d+)", ":\"$1\"");                                   // number as string
            case 4 -> base.replaceFirst(",\"[a-zA-Z]+\":[^,}]+", "");                              // missing field
            case 5 -> "{\"v\":1,\"type\":\"leave\",\"reason\":\"" + "x".repeat(65_536 + r.nextInt(900)) + "\"}"; // huge: over the 65,536-byte frame limit, under the relay's 66,560-byte message cap (beyond it: 1009)
            case 6 -> randomBytes(r);                                                             // garbage / binary-ish
            case 7 -> "[" + base + "]";                                                           // not an object
            case 8 -> base.replaceFirst(":(\\d+)", ":-$1");                                       // negative number
            case 9 -> base.replaceFirst("\\{", "{\"v\":1,");                                      // duplicate key
            case 10 -> "{".repeat(1 + r.nextInt(100));                                            // deep nesting
            default -> base.replaceFirst(":\"[^\"]*\"", ":" + (r.nextBoolean() ? "null" : "{}"));   // null / object
        };
    }

    private static String randomBytes(Random r) {
        char[] chars = new char[1 + r.nextInt(200)];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = (char) r.nextInt(0x800);
        }
        return new String(chars);
    }
}
