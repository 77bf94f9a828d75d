package dev.fastvlm.core.pipeline;

import dev.fastvlm.FastVlm;
import dev.fastvlm.spi.FastVlmConfig;
import dev.fastvlm.spi.FastVlmProvider;

/** Registered with {@link java.util.ServiceLoader}: what {@link FastVlm#builder()} builds. */
public final class CoreFastVlmProvider implements FastVlmProvider {

    @Override
    public FastVlm create(FastVlmConfig config) {
        return new PipelineFastVlm(config);
    }
}
