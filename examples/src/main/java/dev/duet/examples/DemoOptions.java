package dev.duet.examples;

import java.util.Locale;
import java.util.Optional;

/**
 * The demo's command line: {@code [--order expert-first|learner-first|together] [--talk SECONDS] [--browser] [--help]}.
 *
 * @param order       who opens the session first (Java to Java only)
 * @param talkSeconds how long the two talk once media flows both ways: 3 to 30, or up to 600 with {@code --browser}
 * @param browser     the learner is a person in a browser, who opens a printed link
 */
record DemoOptions(Order order, int talkSeconds, boolean browser) {
    static final int MIN_TALK = 3;
    static final int MAX_TALK = 30;
    static final int MAX_BROWSER_TALK = 600;
    static final int DEFAULT_BROWSER_TALK = 120;

    DemoOptions(Order order, int talkSeconds) {
        this(order, talkSeconds, false);
    }

    static final String USAGE = """
            usage: CallDemo [--order expert-first|learner-first|together] [--talk SECONDS] [--browser] [--help]
              --order   who opens the session first (default expert-first; the other comes 3 s later,
                        or both at once with together)
              --talk    seconds of talk once audio and video flow both ways, 3 to 30 (default 8);
                        with --browser up to 600 (default 120)
              --browser you are the learner: open the printed link in a browser on this machine and talk,
                        with your camera and microphone, to the Java expert (who waits up to 5 minutes)
              --help    print this and exit
            exit codes: 0 the call completed; 1 the call failed; 2 this host cannot run the demo
            (no non-loopback network interface); 64 wrong options""";

    enum Order {
        EXPERT_FIRST, LEARNER_FIRST, TOGETHER;

        String code() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** A command line the demo cannot run with; the message says what was wrong and what was expected. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    static DemoOptions defaults() {
        return new DemoOptions(Order.EXPERT_FIRST, 8);
    }

    /** The options, or empty when {@code --help} was asked for. */
    static Optional<DemoOptions> parse(String... args) throws UsageException {
        Order order = Order.EXPERT_FIRST;
        Integer talk = null;
        boolean browser = false;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            switch (flag) {
                case "--help", "-h" -> {
                    return Optional.empty();
                }
                case "--order" -> order = order(value(args, i++));
                case "--talk" -> talk = talk(value(args, i++));
                case "--browser" -> browser = true;
                default -> throw new UsageException("unknown option '" + flag + "'; expected --order, --talk, --browser or --help");
            }
        }
        int max = browser ? MAX_BROWSER_TALK : MAX_TALK;
        if (talk == null) {
            talk = browser ? DEFAULT_BROWSER_TALK : 8;
        } else if (talk < MIN_TALK || talk > max) {
            throw new UsageException("--talk must be " + MIN_TALK + " to " + max + " seconds, but was " + talk
                    + (!browser && talk > MAX_TALK && talk <= MAX_BROWSER_TALK ? " (up to " + MAX_BROWSER_TALK + " with --browser)" : ""));
        }
        return Optional.of(new DemoOptions(order, talk, browser));
    }

    private static String value(String[] args, int flagIndex) throws UsageException {
        if (flagIndex + 1 >= args.length || args[flagIndex + 1].startsWith("--")) {
            throw new UsageException(args[flagIndex] + " needs a value");
        }
        return args[flagIndex + 1];
    }

    private static Order order(String value) throws UsageException {
        for (Order o : Order.values()) {
            if (o.code().equals(value)) {
                return o;
            }
        }
        throw new UsageException("--order must be expert-first, learner-first or together, but was '" + value + "'");
    }

    private static int talk(String value) throws UsageException {
        int seconds;
        try {
            seconds = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new UsageException("--talk must be a whole number of seconds from " + MIN_TALK + " to " + MAX_TALK
                    + ", but was '" + value + "'");
        }
        return seconds;
    }
}
