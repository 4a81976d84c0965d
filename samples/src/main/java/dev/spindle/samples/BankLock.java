package dev.spindle.samples;

import dev.spindle.Suspendable;
import dev.spindle.sched.Interleavings;
import dev.spindle.sched.Mutex;
import dev.spindle.sched.Scheduler;
import java.util.List;

/**
 * Examples 2 and 3 of <em>Concurrency and Python</em> (Dr. Dobb's, 2008): the lock that fixes the race of
 * {@link BankRace}, and the interleaving tester finding no schedule that breaks it.
 *
 * <p>Example 2, Python 2.5's {@code with} statement:
 * <pre>
 * with lock:
 *     if balance &gt; amt:
 *         deduct(amt)
 *     else:
 *         raise ValueError('Insufficient funds')
 * </pre>
 * is {@link Mutex#withLock}, a cooperative lock: a tasklet that finds it taken gives up its turn (the thread
 * never blocks) and gets it when the holder releases it, first come, first served.
 *
 * <p>Example 3, "a function decorator called synchronized to write Java-esque code", is in Java the method
 * {@link #updateAccount}, whose body is a {@code withLock}. Java's own {@code synchronized} would not do: a
 * tasklet may not suspend while it holds a monitor (the agent refuses it), because a monitor belongs to a thread
 * and the tasklet's switch would leave it held on behalf of whichever tasklet runs next.
 *
 * <p>Run (from the repository root, after {@code mvn -B -q -DskipTests package}):
 * <pre>
 * java -javaagent:agent/target/spindle-agent.jar -cp samples/target/spindle-samples.jar dev.spindle.samples.BankLock
 * </pre>
 */
public final class BankLock {
    private BankLock() {
    }

    /** John's account with a lock, as the article's Examples 2 and 3. */
    static final class Account {
        private final Mutex lock = new Mutex("john");
        int balance;
        int paidOut;
        int refused;

        Account(int balance) {
            this.balance = balance;
        }

        /** Example 2: {@code with lock:}. */
        @Suspendable
        void withdraw(int amount) {
            lock.withLock(() -> {
                int seen = balance;
                Scheduler.schedule(); // the other process may run now, but not in here
                if (seen >= amount) {
                    balance = seen - amount;
                    paidOut += amount;
                } else {
                    refused++; // raise ValueError('Insufficient funds')
                }
            });
        }

        /** Example 3: {@code @synchronized def update_account(...)}, the Java way. */
        @Suspendable
        void updateAccount(int delta) {
            lock.withLock(() -> {
                int seen = balance;
                Scheduler.schedule();
                balance = seen + delta;
            });
        }
    }

    /** Two withdrawals of $25 and two deposits of $10 from and to John's $25: nothing created, nothing lost. */
    static final Interleavings.Scenario WITHDRAWALS_AND_DEPOSITS = s -> {
        Account john = new Account(25);
        for (String process : List.of("A", "B")) s.spawn(process, () -> john.withdraw(25));
        for (String process : List.of("C", "D")) s.spawn(process, () -> john.updateAccount(10));
        s.run();
        if (john.balance + john.paidOut != 45) {
            throw new AssertionError("balance $" + john.balance + " + paid out $" + john.paidOut + " != $45");
        }
    };

    public static void main(String[] args) {
        AgentCheck.requireAgent("BankLock");
        System.out.println("Random search, 1000 seeds: " + Interleavings.random(1000).check(WITHDRAWALS_AND_DEPOSITS));
        System.out.println("Exhaustive search: " + Interleavings.exhaustive(64).check(WITHDRAWALS_AND_DEPOSITS));
        System.out.println("The unlocked version of BankRace, exhaustively:");
        Interleavings.exhaustive(64).explore(BankRace.TWO_WITHDRAWALS).failure()
                .ifPresent(f -> System.out.println("  " + f.toString().replace("\n", "\n  ")));
    }
}
