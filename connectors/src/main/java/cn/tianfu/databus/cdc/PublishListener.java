package cn.tianfu.databus.cdc;

/**
 * Told by a {@link CdcRunner} after each batch of changes is stored on the bus and before the batch's offsets are
 * recorded. An exception thrown here stops the runner at that point, with the batch published and its offsets not
 * recorded — what a process killed at that moment leaves behind.
 */
@FunctionalInterface
interface PublishListener {

    /** Listens to nothing. */
    PublishListener NONE = changes -> {
    };

    /** A batch of {@code changes} changes was stored; its offsets are recorded when this returns. */
    void published(int changes);
}
