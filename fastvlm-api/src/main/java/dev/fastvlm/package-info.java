/**
 * The FastVLM API users call: {@link dev.fastvlm.FastVlm} (built with {@link dev.fastvlm.FastVlm#builder()},
 * it describes an image in answer to a prompt), its options ({@link dev.fastvlm.GenerationOptions},
 * {@link dev.fastvlm.ModelArtifacts}, {@link dev.fastvlm.QairtRuntime}, the layout, resize and engine
 * choices), what a request gives back ({@link dev.fastvlm.Description}, {@link dev.fastvlm.Stats}) and the
 * exceptions, all under {@link dev.fastvlm.FastVlmException}.
 */
package dev.fastvlm;
