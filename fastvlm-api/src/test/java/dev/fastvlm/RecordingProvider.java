package dev.fastvlm;

import dev.fastvlm.spi.FastVlmConfig;
import dev.fastvlm.spi.FastVlmProvider;

/** Registered for tests in META-INF/services: shows what build() hands to the implementation. */
public final class RecordingProvider implements FastVlmProvider {

    @Override
    public FastVlm create(FastVlmConfig config) {
        return new Created(config);
    }

    record Created(FastVlmConfig config) implements FastVlm {
        @Override
        public Description describe(ImageInput image, String prompt, TokenListener listener) {
            throw new UnsupportedOperationException("test double");
        }

        @Override
        public java.util.concurrent.Future<Description> describeAsync(ImageInput image, String prompt,
                                                                      TokenListener listener) {
            throw new UnsupportedOperationException("test double");
        }

        @Override
        public void close() {
        }
    }
}
