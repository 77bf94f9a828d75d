/**
 * Making a model bundle on the host: {@code dev.fastvlm.bundle} turns a HuggingFace FastVLM
 * checkpoint into a device bundle ({@link dev.fastvlm.bundle.CheckpointImport},
 * {@link dev.fastvlm.bundle.BundleBuild}), and {@code dev.fastvlm.bundle.safetensors} reads the
 * checkpoint's safetensors files.
 */
module dev.fastvlm.bundle {
    requires transitive dev.fastvlm.core;
    requires transitive dev.fastvlm.genie;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;

    exports dev.fastvlm.bundle;
    exports dev.fastvlm.bundle.safetensors;
}
