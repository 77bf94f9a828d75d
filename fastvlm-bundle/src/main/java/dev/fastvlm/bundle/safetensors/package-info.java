/**
 * A pure-Java reader of HuggingFace's safetensors format: single files and sharded checkpoints,
 * memory-mapped, with every check the format's own reader makes.
 */
package dev.fastvlm.bundle.safetensors;
