package dev.duet.examples;

import java.util.Locale;
import java.util.Optional;

/**
 * The demo's command line: {@code [--order expert-first|learner-first|together] [--talk SECONDS] [--help]}.
 *
 * @param order       who opens the session first
 * @param talkSeconds how long the two talk once media flows both ways, 3 to 30
 */
record DemoOptions(Order order, int talkSeconds) {
    static final int MIN_TALK = 3;
    static final int MAX_TALK = 30;

    static final String USAGE = """
            usage: CallDemo [--order expert-first|learner-first|together] [--talk SECONDS] [--help]
              --order   who opens the session first (default expert-first; the other comes 3 s later,
                        or both at once with together)
              --talk    seconds of talk once audio and video flow both ways, 3 to 30 (default 8)
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
        int talk = 8;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            switch (flag) {
                case "--help", "-h" -> {
                    return Optional.empty();
                }
                case "--order" -> order = order(value(args, i++));
                case "--talk" -> talk = talk(value(args, i++));
                default -> throw new UsageException("unknown option '" + flag + "'; expected --order, --talk or --help");
            }
        }
        return Optional.of(new DemoOptions(order, talk));
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
        if (seconds < MIN_TALK || seconds > MAX_TALK) {
            throw new UsageException("--talk must be " + MIN_TALK + " to " + MAX_TALK + " seconds, but was " + seconds);
        }
        return seconds;
    }
}
