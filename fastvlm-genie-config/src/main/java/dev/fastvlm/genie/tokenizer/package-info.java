/**
 * HuggingFace's {@code tokenizer.json}, which a Genie dialog config names, read in plain Java for
 * the shape Qwen2's has. Shared with the SDK's pipeline and the emulator only; not an API.
 */
package dev.fastvlm.genie.tokenizer;
