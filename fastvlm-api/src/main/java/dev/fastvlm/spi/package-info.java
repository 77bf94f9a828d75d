/**
 * The provider SPI between the API and its implementation: {@link dev.fastvlm.spi.FastVlmProvider},
 * found with {@link java.util.ServiceLoader}, builds a {@link dev.fastvlm.FastVlm} from the validated
 * {@link dev.fastvlm.spi.FastVlmConfig}. {@code fastvlm-core} provides it; applications do not call it.
 */
package dev.fastvlm.spi;
