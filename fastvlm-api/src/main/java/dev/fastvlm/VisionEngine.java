package dev.fastvlm;

/** How the vision encoder runs. */
public enum VisionEngine {
    /**
     * A {@code qnn-net-run} program per request, which loads the context binary each time and
     * goes through files on the device (the seed flow).
     */
    PROCESS,
    /**
     * {@code libQnnHtp.so} loaded into this JVM through the QNN C API, the context binary loaded
     * once per {@link FastVlm} and executed on the preprocessed pixels in memory: no program, no
     * file. Only on the device itself: needs a transport whose device is this machine.
     */
    IN_PROCESS
}
