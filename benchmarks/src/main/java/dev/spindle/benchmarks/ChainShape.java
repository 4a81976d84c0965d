package dev.spindle.benchmarks;

/**
 * What every benchmark chain has in common. Each chain class ({@link SpindleChain}, {@link UnmarkedChain},
 * {@link LoomChain}, {@link VirtualThreadChain}) holds a copy of the same two methods, differing only in the
 * statement at the innermost frame that suspends (and in the {@code @Suspendable} marks):
 *
 * <ul>
 *   <li>{@code descend(depth, acc, suspend)}: recursive, {@code depth} frames deep; the innermost frame
 *       suspends once if {@code suspend}, then every frame returns.</li>
 *   <li>{@code descendLoop(depth, acc)}: recursive, {@code depth} frames deep; the innermost frame suspends in
 *       an endless loop and never returns.</li>
 * </ul>
 *
 * <p>Every frame keeps these locals live across its call (so a suspension has to save and restore them): the
 * parameters {@code int depth}, {@code long acc}, {@code boolean suspend} and the locals {@code int i},
 * {@code long l} and {@code String s} (a reference). All of them are used after the call returns.
 */
final class ChainShape {
    /** Mixes the long local; any odd constant would do. */
    static final long GOLDEN = 0x9E3779B97F4A7C15L;

    /** The reference locals: each frame picks one and uses its length after the call. */
    static final String[] NAMES = {"alpha", "beta", "gamma", "delta"};

    private ChainShape() {
    }
}
