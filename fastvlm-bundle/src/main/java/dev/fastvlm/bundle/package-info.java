/**
 * Making a FastVLM device bundle on the host: {@link dev.fastvlm.bundle.CheckpointImport} turns a
 * HuggingFace checkpoint into {@code LUT.bin}, the tokenizer files and {@code config.json};
 * {@link dev.fastvlm.bundle.CalibrationSet} writes the INT8 vision encoder's calibration inputs
 * from real images; {@link dev.fastvlm.bundle.BundleBuild} runs QAIRT's host tools into context
 * binaries; each step leaves a {@code fastvlm-bundle.json} that
 * {@link dev.fastvlm.core.bundle.BundleVerifier} checks.
 */
package dev.fastvlm.bundle;
