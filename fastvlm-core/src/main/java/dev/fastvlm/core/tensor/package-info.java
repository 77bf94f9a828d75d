/**
 * Tensor files and numbers (not exported): headerless little-endian tensors as {@code qnn-net-run}
 * writes them, QNN's dequantization (with a SIMD kernel when the JVM has the Vector API) and numpy's
 * binary16 conversions.
 */
package dev.fastvlm.core.tensor;
