/**
 * Emulated model bundles: {@link dev.fastvlm.emulator.model.EmulatedBundle} writes a FastVLM-shaped
 * bundle (context binaries, embedding table, tokenizer) whose arithmetic the emulated tools share,
 * so an emulated request's answer names what the image shows.
 */
package dev.fastvlm.emulator.model;
