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

    /** Tokens a mutation may splice in: JSON syntax, extreme numbers, odd strings, the protocol's field names. */
    private static final String[] TOKENS = {"{", "}", "[", "]", ":", ",", "\"", "null", "true", "false", "-1", "0", "1e999",
        "-0", "1.5", "9223372036854775808", "-9223372036854775809", "\"\\ud800\"", "\"\\u0000\"", "\"\"", "\"v\":1",
        "\"v\":2", "\"seq\":", "\"dseq\":", "\"msg\":", "\"type\":", "\"text\":", "\"epoch\":", "\"sdp\":", "\"id\":",
        "\"ticket\":", "\"reason\":", "\"hangUp\":", "\"resume\":", "{}", "[]", "\"x\"", " ", "\n"};

    /**
     * A valid frame with one to four random edits (characters replaced, ranges deleted or repeated,
     * tokens spliced in), or one of {@link #frame}'s hostile shapes: the input of a seeded fuzz run.
     */
    public static String mutate(Random r, List<String> valid) {
        if (r.nextInt(4) == 0) {
            return frame(r, valid);
        }
        StringBuilder s = new StringBuilder(valid.get(r.nextInt(valid.size())));
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits && s.length() > 0; e++) {
            int at = r.nextInt(s.length());
            switch (r.nextInt(5)) {
                case 0 -> s.setCharAt(at, (char) (r.nextBoolean() ? 32 + r.nextInt(95) : r.nextInt(0x3000)));
                case 1 -> s.delete(at, Math.min(s.length(), at + 1 + r.nextInt(12)));
                case 2 -> s.insert(at, TOKENS[r.nextInt(TOKENS.length)]);
                case 3 -> s.insert(at, s.substring(at, Math.min(s.length(), at + 1 + r.nextInt(20))));
                default -> s.replace(at, Math.min(s.length(), at + 1 + r.nextInt(6)), TOKENS[r.nextInt(TOKENS.length)]);
            }
        }
        return s.toString();
    }

    /** How many fuzz inputs a run feeds: {@code -Dduet.fuzz.inputs} (the fuzz profile: 100,000), else {@code normal}. */
    public static int inputs(int normal) {
        return Integer.getInteger("duet.fuzz.inputs", normal);
    }

    private static String randomBytes(Random r) {
        char[] chars = new char[1 + r.nextInt(200)];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = (char) r.nextInt(0x800);
        }
        return new String(chars);
    }
}
