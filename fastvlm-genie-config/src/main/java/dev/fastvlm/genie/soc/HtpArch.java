package dev.fastvlm.genie.soc;

/**
 * A Hexagon Tensor Processor generation. It names the DSP libraries QNN loads: the Android-side
 * stub {@code libQnnHtpV<NN>Stub.so} and the DSP-side skeleton {@code libQnnHtpV<NN>Skel.so}
 * (from the SDK's {@code lib/hexagon-v<NN>/unsigned/}).
 */
public enum HtpArch {
    V73(73),
    V75(75),
    V79(79);

    private final int version;

    HtpArch(int version) {
        this.version = version;
    }

    /** The architecture number, e.g. 79. */
    public int version() {
        return version;
    }

    /** The {@code dsp_arch} of the HTP extension JSON and {@code --htp_arch} value, e.g. {@code v79}. */
    public String dspArch() {
        return "v" + version;
    }

    /** e.g. {@code libQnnHtpV79Stub.so}, pushed next to {@code libQnnHtp.so}. */
    public String stubLibrary() {
        return "libQnnHtpV" + version + "Stub.so";
    }

    /** e.g. {@code libQnnHtpV79Skel.so}, found by the DSP through {@code ADSP_LIBRARY_PATH}. */
    public String skelLibrary() {
        return "libQnnHtpV" + version + "Skel.so";
    }

    /** The SDK directory holding the skeleton, e.g. {@code hexagon-v79}. */
    public String hexagonLibDir() {
        return "hexagon-v" + version;
    }
}
