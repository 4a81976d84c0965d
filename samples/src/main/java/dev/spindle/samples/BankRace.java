package dev.spindle.samples;

import dev.spindle.Suspendable;
import dev.spindle.sched.Interleavings;
import dev.spindle.sched.Scheduler;
import java.util.List;

/**
 * "Example 1: The Canonical Race Condition" of <em>Concurrency and Python</em> (Dr. Dobb's, 2008), in Java, and
 * the interleaving tester finding it:
 *
 * <pre>
 * Process A sees that John's balance is $25
 * Process B sees that John's balance is $25
 * Process A deducts $25 and sets balance to $0
 * Process B deducts $25 and sets balance to $0
 * John gets a free $25
 * </pre>
 *
 * Two tasklets withdraw $25 each from John's $25. A withdrawal reads the balance, gives up its turn
 * ({@code Scheduler.schedule()}, standing for the disk or network wait of the article's "ancient banking
 * software"), and writes the balance back. Tasklets are cooperative, so the race can only happen at that one
 * switch, and {@link Interleavings} finds the schedule in which it does, with the seed that replays it.
 * {@link BankLock} is the fix.
 *
 * <p>Run (from the repository root, after {@code mvn -B -q -DskipTests package}):
 * <pre>
 * java -javaagent:agent/target/spindle-agent.jar -cp samples/target/spindle-samples.jar dev.spindle.samples.BankRace
 * </pre>
 */
public final class BankRace {
    private BankRace() {
    }

    /** John's account, with the racy withdrawal of Example 1. */
    static final class Account {
        int balance;
        int paidOut;
        int refused;

        Account(int balance) {
            this.balance = balance;
        }

        @Suspendable
        void withdraw(String process, int amount) {
            int seen = balance;
            say(process + " sees that John's balance is $" + seen);
            Scheduler.schedule(); // the other process may run here
            if (seen < amount) {
                say(process + ": insufficient funds");
                refused++;
                return;
            }
            balance = seen - amount;
            paidOut += amount;
            say(process + " deducts $" + amount + " and sets balance to $" + balance);
        }
    }

    private static boolean verbose;

    static void say(String line) {
        if (verbose) System.out.println("  " + line);
    }

    /** One run: A and B withdraw $25 each from $25; money must be neither created nor lost. */
    static final Interleavings.Scenario TWO_WITHDRAWALS = s -> {
        Account john = new Account(25);
        for (String process : List.of("Process A", "Process B")) {
            s.spawn(process.substring(8), () -> john.withdraw(process, 25));
        }
        s.run();
        if (john.balance + john.paidOut != 25) {
            throw new AssertionError("John gets a free $" + (john.balance + john.paidOut - 25) + ": balance $"
                    + john.balance + ", paid out $" + john.paidOut);
        }
    };

    public static void main(String[] args) {
        AgentCheck.requireAgent("BankRace");
        System.out.println("Searching 1000 random schedules of two $25 withdrawals from John's $25...");
        Interleavings.Report report = Interleavings.random(1000).explore(TWO_WITHDRAWALS);
        Interleavings.Failure failure = report.failure().orElseThrow(
                () -> new IllegalStateException("no schedule broke it; expected the race of Example 1"));
        System.out.println(failure);

        System.out.println();
        System.out.println("Replaying seed " + failure.seed().getAsLong() + ":");
        verbose = true;
        try {
            Interleavings.replay(failure.seed().getAsLong(), TWO_WITHDRAWALS);
        } catch (AssertionError e) {
            System.out.println("  " + e.getMessage());
            System.out.println("  .... which he promptly loses on a horse race ;)");
        } finally {
            verbose = false;
        }
    }
}
