/**
 * The describe pipeline (not exported): {@code CoreFastVlmProvider} is what
 * {@link dev.fastvlm.FastVlm#builder()} finds; a request runs its named, timed stages over the
 * configured transport (image preprocessing, the vision encoder on the device, the prompt's tokens,
 * the combined embeddings, the decoder), with the model bundle and QAIRT SDK resolved once at build.
 */
package dev.fastvlm.core.pipeline;
