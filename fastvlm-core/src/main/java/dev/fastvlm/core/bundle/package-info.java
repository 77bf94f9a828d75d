/**
 * The model bundle's manifest ({@code fastvlm-bundle.json}: files, sizes, SHA-256, decoder
 * geometry, chip, SDK version) and the checks of a bundle against it and of its files against
 * each other, shared by {@code fastvlm bundle verify} and the pipeline's {@code build()}.
 */
package dev.fastvlm.core.bundle;
