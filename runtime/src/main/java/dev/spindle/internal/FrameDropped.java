package dev.spindle.internal;

/**
 * A value that a suspendable frame keeps and that must be released if the frame is dropped without running its
 * {@code finally} blocks: when a suspension is refused (or fails) while frames are being saved, the frames saved
 * so far are garbage and are dropped, and each saved reference that implements this is told. The event loop's
 * {@code withTimeout} scope is one: its deadline must not fire into whatever the coroutine does next. Not API.
 */
public interface FrameDropped {
    /** The frame that kept this was dropped: release what its {@code finally} block would have. */
    void frameDropped();
}
