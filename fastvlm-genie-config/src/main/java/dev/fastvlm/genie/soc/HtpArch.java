package dev.fastvlm.genie.soc;

/**
 * A Hexagon Tensor Processor generation. It names the DSP libraries QNN loads: the Android-side
 * stub {@code libQnnHtpV<NN>Stub.so} and the DSP-side skeleton {@code libQnnHtpV<NN>Skel.so}
 * (from the SDK's {@code lib/hexagon-v<NN>/unsigned/}).
 */
public enum HtpArch {
    /** Hexagon v73, in the Snapdragon 8 Gen 2 and X Elite. */
    V73(73),
    /** Hexagon v75, in the Snapdragon 8 Gen 3. */
    V75(75),
    /** Hexagon v79, in the Snapdragon 8 Elite. */
    V79(79);

    private final int version;

    HtpArch(int version) {
        this.version = version;
    }

    /** {@return the architecture number, e.g. 79} */
    public int version() {
        return version;
    }

    /** {@return the {@code dsp_arch} of the HTP extension JSON and {@code --htp_arch} value, e.g. {@code v79}} */
    public String dspArch() {
        return "v" + version;
    }

    /**
     * e.g. {@code libQnnHtpV79Stub.so}, pushed next to {@code libQnnHtp.so}.
     *
     * @return the stub library's file name, for example {@code libQnnHtpV79Stub.so}
     */
    public String stubLibrary() {
        return "libQnnHtpV" + version + "Stub.so";
    }

    /**
     * e.g. {@code libQnnHtpV79Skel.so}, found by the DSP through {@code ADSP_LIBRARY_PATH}.
     *
     * @return the skeleton library's file name, for example {@code libQnnHtpV79Skel.so}
     */
    public String skelLibrary() {
        return "libQnnHtpV" + version + "Skel.so";
    }

    /**
     * The SDK directory holding the skeleton, e.g. {@code hexagon-v79}.
     *
     * @return the folder under the SDK's {@code lib/}, for example {@code hexagon-v79}
     */
    public String hexagonLibDir() {
        return "hexagon-v" + version;
    }
}
