package dev.fastvlm.transport;

/** Progress of a push or pull: called as bytes move, last with {@code done == total}. */
@FunctionalInterface
public interface TransferListener {
    /** A listener that ignores progress. */
    TransferListener NONE = (done, total) -> {
    };

    /**
     * Reports progress of one file.
     *
     * @param done bytes moved so far
     * @param total the file's size in bytes
     */
    void onProgress(long done, long total);
}
