/**
 * JMH benchmarks of the host side of the FastVLM flow (combining embeddings, the LUT gather, image
 * preprocessing, whole requests and the sync on the emulator); {@code fastvlm-bench/README.md} lists
 * them with their figures and the commands that produced them.
 */
package dev.fastvlm.bench;
