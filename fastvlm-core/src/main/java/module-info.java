/**
 * The FastVLM pipeline, provided to {@link dev.fastvlm.FastVlm#builder()} through the SPI. Users
 * call three packages of it: {@code dev.fastvlm.core.local} (the transport that runs on the device
 * itself), {@code dev.fastvlm.core.device} (pushing model files once per device, one folder per
 * request) and {@code dev.fastvlm.core.bundle} (a bundle's manifest and the checks that
 * {@code build()} and {@code fastvlm bundle verify} run). The pipeline's stages (image, image.decode,
 * text, embed, tensor, pipeline) and the in-process Genie and QNN bindings (genie, qnn) are not exported.
 */
module dev.fastvlm.core {
    requires transitive dev.fastvlm;
    requires dev.fastvlm.genie;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires ai.djl.tokenizers;
    requires com.sun.jna;
    requires org.slf4j;
    // Jinjava (the chat template) has no module name to require: it is read from the class path,
    // or, on a module path, ChatTemplate adds the read edge to its automatic module at run time.
    // ImageIO: the fallback decoder, and where TwelveMonkeys' readers plug in
    requires java.desktop;

    exports dev.fastvlm.core.device;
    exports dev.fastvlm.core.local;
    exports dev.fastvlm.core.bundle;
    // the bundle tool writes calibration data with the pipeline's own preprocessing and raw tensors
    exports dev.fastvlm.core.image to dev.fastvlm.bundle;
    // what the preprocessor's public methods take and return (RgbImage, ImageDecoder)
    exports dev.fastvlm.core.image.decode to dev.fastvlm.bundle;
    exports dev.fastvlm.core.tensor to dev.fastvlm.bundle;

    // JNA reads the libraries' interfaces and calls its callbacks by reflection
    opens dev.fastvlm.core.image.decode to com.sun.jna;
    opens dev.fastvlm.core.genie to com.sun.jna;
    opens dev.fastvlm.core.qnn to com.sun.jna;

    provides dev.fastvlm.spi.FastVlmProvider with dev.fastvlm.core.pipeline.CoreFastVlmProvider;
}
