package dev.spindle.it.sched;

import dev.spindle.Suspendable;
import dev.spindle.sched.Mutex;
import dev.spindle.sched.Scheduler;

/** John's account of the article's Example 1: a withdrawal reads the balance, gives up its turn, writes it back. */
final class Account {
    private final Mutex lock = new Mutex("account");
    private int balance;
    private int paidOut;
    private int refused;

    Account(int balance) {
        this.balance = balance;
    }

    /** Example 1: the race. */
    @Suspendable
    void withdraw(int amount) {
        int seen = balance;            // "Process A sees that John's balance is $25"
        Scheduler.schedule();          // the other process runs here (a disk write, a network call...)
        if (seen < amount) {
            refused++;                 // "raise ValueError('Insufficient funds')"
            return;
        }
        balance = seen - amount;       // "Process A deducts $25 and sets balance to $0"
        paidOut += amount;
    }

    /** Examples 2 and 3: the same, under {@code with lock:}. */
    @Suspendable
    void withdrawLocked(int amount) {
        lock.withLock(() -> withdraw(amount));
    }

    int balance() {
        return balance;
    }

    int paidOut() {
        return paidOut;
    }

    int refused() {
        return refused;
    }
}
