package dev.spindle.sched;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.StringJoiner;

/**
 * Tests a program of tasklets under many schedules and reports the first one that breaks it, with what replays
 * it. A tasklet can only lose its turn where it suspends, so the schedules of a program form a finite tree of
 * choices (which runnable tasklet runs next, which ready case a {@link Select} takes); this helper walks that
 * tree at random from seeds, or exhaustively up to a depth. No sleeps, no retries, no flaky threads: a failing
 * schedule fails the same way every time it is replayed.
 *
 * <p>The article's Example 1, two withdrawals that read the balance, give up their turn, and write it back:
 *
 * <pre>{@code
 * Interleavings.random(1000).check(scheduler -> {
 *     Account john = new Account(25);
 *     scheduler.spawn("A", () -> john.withdraw(25));
 *     scheduler.spawn("B", () -> john.withdraw(25));
 *     scheduler.run();
 *     assertEquals(25, john.balance() + john.paidOut(), "John gets a free $25");
 * });
 * }</pre>
 *
 * fails with
 *
 * <pre>
 * schedule 2 of 1000 broke the scenario: org.opentest4j.AssertionFailedError: John gets a free $25 ==&gt; expected: &lt;25&gt; but was: &lt;50&gt;
 *   tasklets in the order they ran: B, A, A, B
 *   replay it with Interleavings.replay(1L, scenario), or Interleavings.replay("1.0.1", scenario)
 * </pre>
 *
 * and with {@code withdraw} guarded by a {@link Mutex} no schedule fails: {@code check} returns a
 * {@link Report}. {@link #replay(long, Scenario)} runs the failing schedule again, for a debugger.
 *
 * <p>The scenario runs once per schedule, on a fresh scheduler each time ({@link Scheduler#seeded}, or one
 * replaying a list of choices), always with virtual time. It must build all its state afresh (no state left
 * from an earlier run) and depend only on what its tasklets do: not on wall time, identity hash codes, hash
 * orders of identity-hashed keys, or another random source. A scenario whose replay makes fewer choices than
 * the run it replays, or meets fewer alternatives at one of them, is reported as not deterministic (an
 * {@code IllegalStateException} out of {@link #explore}); other non-determinism (more turns on each run, say)
 * cannot be told from a new schedule, and goes unreported. A run that needs more than {@link #maxSwitches(long)}
 * switches is reported as a failure (a livelock or an endless loop), and so is a deadlock.
 *
 * <p>The schedules explored are those the round-robin scheduler could run if any runnable tasklet could be next
 * at every turn, except where the API promises who runs next: a send to a waiting receiver with
 * {@link Channel.Preference#RECEIVER} (or a receive from a waiting sender with {@code SENDER}) switches to it at
 * once, and a tasklet killed or raised into by another runs as soon as that one gives up its turn (after such a
 * receiver or sender, when giving up the turn was that hand-off).
 */
public final class Interleavings {
    /**
     * One run of a program under test: spawns tasklets on the scheduler given, runs it, and checks the outcome
     * (any exception or assertion error is a failure).
     */
    @FunctionalInterface
    public interface Scenario {
        /** Spawns the tasklets on {@code scheduler}, runs it, and checks the outcome (throws if it is wrong). */
        void play(Scheduler scheduler) throws Exception;
    }

    /** The switch limit of a run, unless {@link #maxSwitches(long)} sets another. */
    public static final long DEFAULT_MAX_SWITCHES = 100_000;

    private final boolean exhaustive;
    private final int runs;
    private final long firstSeed;
    private final int depth;
    private long maxSwitches = DEFAULT_MAX_SWITCHES;
    private int maxRuns = 100_000;

    private Interleavings(boolean exhaustive, int runs, long firstSeed, int depth) {
        this.exhaustive = exhaustive;
        this.runs = runs;
        this.firstSeed = firstSeed;
        this.depth = depth;
    }

    /** Runs the scenario under {@code runs} random schedules, from seeds 0, 1, 2, ... */
    public static Interleavings random(int runs) {
        return random(runs, 0);
    }

    /** Runs the scenario under {@code runs} random schedules, from seeds {@code firstSeed}, {@code firstSeed + 1}, ... */
    public static Interleavings random(int runs, long firstSeed) {
        if (runs <= 0) throw new IllegalArgumentException("runs <= 0: " + runs);
        return new Interleavings(false, runs, firstSeed, 0);
    }

    /**
     * Runs the scenario under every schedule that differs in its first {@code depth} choices (a choice: a point
     * where two or more tasklets could run next, or two or more select cases are ready), depth first; after
     * {@code depth} choices each run goes on round-robin. With a depth at least the number of choices the
     * scenario makes, that is every schedule it has ({@link Report#complete()}). Stops after
     * {@link #maxRuns(int)} runs.
     */
    public static Interleavings exhaustive(int depth) {
        if (depth < 0) throw new IllegalArgumentException("depth < 0: " + depth);
        return new Interleavings(true, 0, 0, depth);
    }

    /**
     * A run with more switches than this fails as a livelock (default {@value #DEFAULT_MAX_SWITCHES}); a replay
     * of such a failure needs the same limit (the failure's message shows the replay with it). Returns this.
     */
    public Interleavings maxSwitches(long perRun) {
        this.maxSwitches = checkedLimit(perRun);
        return this;
    }

    /** An exhaustive search stops after this many runs (default 100,000). Returns this. */
    public Interleavings maxRuns(int runs) {
        if (runs <= 0) throw new IllegalArgumentException("maxRuns <= 0: " + runs);
        this.maxRuns = runs;
        return this;
    }

    /** Runs the scenario under the schedules, stopping at the first failure. */
    public Report explore(Scenario scenario) {
        return exhaustive ? exploreExhaustively(scenario) : exploreAtRandom(scenario);
    }

    /**
     * Like {@link #explore}, but a failure is thrown as an {@link AssertionError} whose message shows the
     * schedule and how to replay it, with the scenario's exception as its cause.
     *
     * @return the report, when no schedule failed
     */
    public Report check(Scenario scenario) {
        Report r = explore(scenario);
        if (r.failure != null) throw new AssertionError(r.failure.toString(), r.failure.error);
        return r;
    }

    /**
     * Runs the scenario once, on {@code Scheduler.seeded(seed)} (what {@link #random} ran with that seed), and
     * throws what it throws; a run of more than {@value #DEFAULT_MAX_SWITCHES} switches fails as a livelock, as it
     * does in a search.
     *
     * @return the tasklets in the order they ran
     */
    public static List<String> replay(long seed, Scenario scenario) {
        return replay(seed, scenario, DEFAULT_MAX_SWITCHES);
    }

    /**
     * Like {@link #replay(long, Scenario)}, for a search run with {@link #maxSwitches(long)}: a livelock it reported
     * replays as the same failure only with the same limit.
     */
    public static List<String> replay(long seed, Scenario scenario, long maxSwitches) {
        return rethrow(play(scenario, new Picker.Seeded(seed), checkedLimit(maxSwitches)));
    }

    /**
     * Runs the scenario once, making the given choices (as {@link Failure#choices()} shows them: the index taken
     * at each choice, dot-separated; every later choice takes the first alternative), and throws what it throws;
     * a run of more than {@value #DEFAULT_MAX_SWITCHES} switches fails as a livelock, as it does in a search.
     *
     * @return the tasklets in the order they ran
     * @throws IllegalArgumentException if {@code choices} is not a list of choices, takes an alternative a
     *                                  choice point of this scenario does not have, or has more choices than the
     *                                  scenario made
     */
    public static List<String> replay(String choices, Scenario scenario) {
        return replay(choices, scenario, DEFAULT_MAX_SWITCHES);
    }

    /**
     * Like {@link #replay(String, Scenario)}, for a search run with {@link #maxSwitches(long)}: a livelock it
     * reported replays as the same failure only with the same limit.
     */
    public static List<String> replay(String choices, Scenario scenario, long maxSwitches) {
        int[] given = parse(choices);
        Picker.Replaying picker = new Picker.Replaying(given, Integer.MAX_VALUE, true);
        Run run = play(scenario, picker, checkedLimit(maxSwitches));
        if (picker.chosen.size() < given.length) {
            throw new IllegalArgumentException("the choices to replay, \"" + choices + "\", are " + given.length
                    + " but the scenario made only " + picker.chosen.size() + ": they are not choices this scenario"
                    + " makes (replay what Failure.choices() shows), or the scenario is not deterministic");
        }
        return rethrow(run);
    }

    private static long checkedLimit(long maxSwitches) {
        if (maxSwitches <= 0) throw new IllegalArgumentException("maxSwitches <= 0: " + maxSwitches);
        return maxSwitches;
    }

    private Report exploreAtRandom(Scenario scenario) {
        for (int r = 0; r < runs; r++) {
            long seed = firstSeed + r;
            Run run = play(scenario, new Picker.Seeded(seed), maxSwitches);
            if (run.error != null) {
                return new Report(r + 1, false, new Failure(r + 1, runs, OptionalLong.of(seed), maxSwitches, run));
            }
        }
        return new Report(runs, false, null);
    }

    private Report exploreExhaustively(Scenario scenario) {
        int[] prefix = new int[0];
        boolean cutOff = false;
        for (int n = 1; ; n++) {
            Picker.Replaying picker = new Picker.Replaying(prefix, depth, false);
            Run run = play(scenario, picker, maxSwitches);
            if (picker.chosen.size() < prefix.length) {
                throw new IllegalStateException("the scenario is not deterministic: a replay made "
                        + picker.chosen.size() + " choices where an earlier run made at least " + prefix.length);
            }
            if (run.error != null) {
                return new Report(n, false, new Failure(n, 0, OptionalLong.empty(), maxSwitches, run));
            }
            cutOff |= picker.cutOff;
            // Backtrack: the last choice within the depth that has an alternative not tried yet.
            int i = Math.min(picker.chosen.size(), depth) - 1;
            while (i >= 0 && picker.chosen.get(i) == picker.options.get(i) - 1) i--;
            if (i < 0) return new Report(n, !cutOff, null);
            if (n == maxRuns) return new Report(n, false, null);
            prefix = new int[i + 1];
            for (int k = 0; k < i; k++) prefix[k] = picker.chosen.get(k);
            prefix[i] = picker.chosen.get(i) + 1;
        }
    }

    /** What one run did. */
    private static final class Run {
        final List<String> schedule;
        final List<Integer> choices;
        final Throwable error;

        Run(List<String> schedule, List<Integer> choices, Throwable error) {
            this.schedule = schedule;
            this.choices = choices;
            this.error = error;
        }
    }

    private static Run play(Scenario scenario, Picker.Recording picker, long maxSwitches) {
        Scheduler s = new Scheduler(picker, new Clock.Virtual());
        s.trace = new ArrayList<>();
        s.switchLimit = maxSwitches;
        Throwable error = null;
        try {
            scenario.play(s);
            if (s.switches() == 0 && !s.tasklets().isEmpty()) {
                error = new IllegalStateException("the scenario spawned tasklets but did not run them: call"
                        + " scheduler.run() in it, then check the outcome");
            } else if (s.switches() == 0) { // a search that explores nothing must not pass as one that found nothing
                error = new IllegalStateException("the scenario ran no tasklet on the scheduler it was given: spawn"
                        + " them with its spawn() (not on a Scheduler of its own) and call its run()");
            }
        } catch (Throwable t) {
            error = t;
        }
        if (s.livelock != null && error != s.livelock) error = s.livelock; // the scenario caught it, or went on
        // thrown inside the scenario, which may have caught it: it is about the search, not the scenario
        RuntimeException refused = picker.refused();
        if (refused != null) throw refused;
        return new Run(s.trace, picker.chosen, error);
    }

    private static List<String> rethrow(Run run) {
        if (run.error != null) throw Throwables.sneaky(run.error);
        return run.schedule;
    }

    private static int[] parse(String choices) {
        String t = choices.trim();
        if (t.isEmpty()) return new int[0];
        String[] parts = t.split("[.,\\s]+");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + parts[i] + "\" in \"" + choices + "\" is not a choice: give"
                        + " the choices a failure reports, numbers separated by dots (\"0.1.0\")", e);
            }
            if (out[i] < 0) throw new IllegalArgumentException("negative choice in \"" + choices + "\"");
        }
        return out;
    }

    /** What a search did: how many schedules it ran, whether that was all of them, and the first failure. */
    public static final class Report {
        private final int runs;
        private final boolean complete;
        private final Failure failure;

        Report(int runs, boolean complete, Failure failure) {
            this.runs = runs;
            this.complete = complete;
            this.failure = failure;
        }

        /** How many schedules were run (the failing one included). */
        public int runs() {
            return runs;
        }

        /**
         * True if an exhaustive search ran every schedule the scenario has, within neither its depth nor its
         * run limit; always false for a random search.
         */
        public boolean complete() {
            return complete;
        }

        /** The first schedule that failed, if any. */
        public Optional<Failure> failure() {
            return Optional.ofNullable(failure);
        }

        @Override
        public String toString() {
            return failure != null ? failure.toString()
                    : "no failure in " + runs + (runs == 1 ? " schedule" : " schedules")
                            + (complete ? " (every schedule of the scenario)" : "");
        }
    }

    /** A schedule that broke the scenario. */
    public static final class Failure {
        private static final int SHOWN = 60;

        private final int run;
        private final int of;
        private final OptionalLong seed;
        private final long maxSwitches;
        private final List<String> schedule;
        private final String choices;
        private final Throwable error;

        Failure(int run, int of, OptionalLong seed, long maxSwitches, Run r) {
            this.run = run;
            this.of = of;
            this.seed = seed;
            this.maxSwitches = maxSwitches;
            this.schedule = List.copyOf(r.schedule);
            this.error = r.error;
            int end = r.choices.size();
            while (end > 0 && r.choices.get(end - 1) == 0) end--; // later choices default to the first
            StringJoiner j = new StringJoiner(".");
            for (int i = 0; i < end; i++) j.add(String.valueOf(r.choices.get(i)));
            this.choices = j.toString();
        }

        /** Which run of the search it was, from 1. */
        public int run() {
            return run;
        }

        /** The seed of a random search's run: {@link Interleavings#replay(long, Scenario)} replays it. */
        public OptionalLong seed() {
            return seed;
        }

        /** The choices it made: {@link Interleavings#replay(String, Scenario)} replays it. */
        public String choices() {
            return choices;
        }

        /** The names of the tasklets in the order they ran, one per turn. */
        public List<String> schedule() {
            return schedule;
        }

        /** What the scenario threw. */
        public Throwable error() {
            return error;
        }

        @Override
        public String toString() {
            StringJoiner order = new StringJoiner(", ");
            for (int i = 0; i < Math.min(SHOWN, schedule.size()); i++) order.add(schedule.get(i));
            String more = schedule.size() > SHOWN ? " ... (" + (schedule.size() - SHOWN) + " more)" : "";
            String limit = maxSwitches == DEFAULT_MAX_SWITCHES ? "" : ", " + maxSwitches + "L";
            String replay = (seed.isPresent()
                    ? "Interleavings.replay(" + seed.getAsLong() + "L, scenario" + limit + "), or " : "")
                    + "Interleavings.replay(\"" + choices + "\", scenario" + limit + ")"
                    + (choices.isEmpty() ? " (no choices: the first alternative at every turn, plain round-robin)"
                            : "");
            return "schedule " + run + (of > 0 ? " of " + of : "") + " broke the scenario: " + error
                    + "\n  tasklets in the order they ran: " + order + more
                    + "\n  replay it with " + replay;
        }
    }
}
