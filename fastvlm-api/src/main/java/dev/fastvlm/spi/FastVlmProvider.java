package dev.fastvlm.spi;

import dev.fastvlm.FastVlm;

/**
 * Creates {@link FastVlm} instances; found with {@link java.util.ServiceLoader}. {@code fastvlm-core}
 * provides the implementation, so the API module never depends on it. Applications do not call this.
 */
public interface FastVlmProvider {

    /**
     * Builds an instance; the configuration is already validated field by field.
     *
     * @param config the validated configuration
     * @return a ready instance owning {@code config.device()}
     */
    FastVlm create(FastVlmConfig config);
}
