package dev.fastvlm.spi;

import dev.fastvlm.DecoderEngine;
import dev.fastvlm.FastVlm;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.ImageLayout;
import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.ModelArtifacts;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.ResizePolicy;
import dev.fastvlm.TextEmbeddingSource;
import dev.fastvlm.VisionEngine;
import dev.fastvlm.transport.TransferListener;
import dev.fastvlm.transport.Transport;

import java.time.Duration;
import java.util.Optional;

/**
 * Everything a {@link FastVlmProvider} needs to build an instance: the validated result of
 * {@link FastVlm.Builder}.
 *
 * <p>A final class with accessors, not a record, so that it can grow the way JUnit 5's extension
 * contexts do: a new option is a new accessor here and a new setter on {@link Builder} (with its
 * default), and no provider, nor any code that builds a configuration, has to change. A provider
 * that wraps another one changes what it needs with {@link #toBuilder()}.
 */
public final class FastVlmConfig {

    private final Transport device;
    private final ModelArtifacts models;
    private final QairtRuntime runtime;
    private final GenerationOptions generation;
    private final ImageLayout imageLayout;
    private final ResizePolicy resizePolicy;
    private final Duration requestTimeout;
    private final TextEmbeddingSource textEmbedding;
    private final boolean keepDeviceFiles;
    private final TransferListener syncProgress;
    private final DecoderEngine decoderEngine;
    private final VisionEngine visionEngine;
    private final long maxImageFileBytes;
    private final boolean literalPrompts;
    private final Optional<String> systemPrompt;
    private final int visionCacheSize;

    private FastVlmConfig(Builder builder) {
        this.device = builder.device;
        this.models = builder.models;
        this.runtime = builder.runtime;
        this.generation = builder.generation;
        this.imageLayout = builder.imageLayout;
        this.resizePolicy = builder.resizePolicy;
        this.requestTimeout = builder.requestTimeout;
        this.textEmbedding = builder.textEmbedding;
        this.keepDeviceFiles = builder.keepDeviceFiles;
        this.syncProgress = builder.syncProgress;
        this.decoderEngine = builder.decoderEngine;
        this.visionEngine = builder.visionEngine;
        this.maxImageFileBytes = builder.maxImageFileBytes;
        this.literalPrompts = builder.literalPrompts;
        this.systemPrompt = Optional.ofNullable(builder.systemPrompt);
        this.visionCacheSize = builder.visionCacheSize;
    }

    /**
     * A builder with every optional field at the default {@link FastVlm.Builder} documents; the
     * device, the models and the runtime must be set before {@link Builder#build()}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding this configuration's values, for a provider that changes one of them
     * (wraps the transport, say) before handing the configuration on.
     *
     * @return a new builder with this configuration's values
     */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.device = device;
        builder.models = models;
        builder.runtime = runtime;
        builder.generation = generation;
        builder.imageLayout = imageLayout;
        builder.resizePolicy = resizePolicy;
        builder.requestTimeout = requestTimeout;
        builder.textEmbedding = textEmbedding;
        builder.keepDeviceFiles = keepDeviceFiles;
        builder.syncProgress = syncProgress;
        builder.decoderEngine = decoderEngine;
        builder.visionEngine = visionEngine;
        builder.maxImageFileBytes = maxImageFileBytes;
        builder.literalPrompts = literalPrompts;
        builder.systemPrompt = systemPrompt.orElse(null);
        builder.visionCacheSize = visionCacheSize;
        return builder;
    }

    /**
     * The transport to the device.
     *
     * @return the transport, owned by the instance built from this configuration: closed with it
     */
    public Transport device() {
        return device;
    }

    /**
     * The model artifacts.
     *
     * @return the model files to run
     */
    public ModelArtifacts models() {
        return models;
    }

    /**
     * The QAIRT SDK and the device directory.
     *
     * @return where the SDK is and how the device runs it
     */
    public QairtRuntime runtime() {
        return runtime;
    }

    /**
     * The generation options.
     *
     * @return token limits, sampling and stop sequences
     */
    public GenerationOptions generation() {
        return generation;
    }

    /**
     * Where the vision rows go in the sequence.
     *
     * @return the image layout
     */
    public ImageLayout imageLayout() {
        return imageLayout;
    }

    /**
     * How images are resized to the encoder's input.
     *
     * @return the resize policy
     */
    public ResizePolicy resizePolicy() {
        return resizePolicy;
    }

    /**
     * The limit of one whole request.
     *
     * @return a positive duration
     */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /**
     * Where the prompt's embedding rows come from.
     *
     * @return the text embedding source
     */
    public TextEmbeddingSource textEmbedding() {
        return textEmbedding;
    }

    /**
     * Whether request directories stay on the device, for debugging.
     *
     * @return {@code true} to keep each request's device files
     */
    public boolean keepDeviceFiles() {
        return keepDeviceFiles;
    }

    /**
     * The listener of the one-time model and SDK push.
     *
     * @return the progress listener; {@link TransferListener#NONE} for none
     */
    public TransferListener syncProgress() {
        return syncProgress;
    }

    /**
     * Whether Genie runs as a program per request or in this process.
     *
     * @return the decoder engine
     */
    public DecoderEngine decoderEngine() {
        return decoderEngine;
    }

    /**
     * Whether the vision encoder runs as a program per request or in this process.
     *
     * @return the vision engine
     */
    public VisionEngine visionEngine() {
        return visionEngine;
    }

    /**
     * The largest image file read; larger ones are refused before reading.
     *
     * @return the limit in bytes, positive
     */
    public long maxImageFileBytes() {
        return maxImageFileBytes;
    }

    /**
     * Whether special-token text in a prompt is encoded as plain text.
     *
     * @return {@code true} for literal prompts
     */
    public boolean literalPrompts() {
        return literalPrompts;
    }

    /**
     * The system turn of every request.
     *
     * @return the system prompt; empty for the chat template's own
     */
    public Optional<String> systemPrompt() {
        return systemPrompt;
    }

    /**
     * How many images' vision-encoder rows the instance keeps, by the digest of their preprocessed
     * pixels, so that a request about an image seen before runs no vision encoder.
     *
     * @return the number of entries, 0 when no rows are kept
     */
    public int visionCacheSize() {
        return visionCacheSize;
    }

    /**
     * Collects a {@link FastVlmConfig}. {@link FastVlm.Builder} is the one users call and keeps
     * one of these; the defaults and the checks are here, in one place.
     */
    public static final class Builder {
        private Transport device;
        private ModelArtifacts models;
        private QairtRuntime runtime;
        private GenerationOptions generation = GenerationOptions.defaults();
        private ImageLayout imageLayout = ImageLayout.PREPEND;
        private ResizePolicy resizePolicy = ResizePolicy.STRETCH;
        private Duration requestTimeout = FastVlm.Builder.DEFAULT_REQUEST_TIMEOUT;
        private TextEmbeddingSource textEmbedding = TextEmbeddingSource.HOST_TABLE;
        private boolean keepDeviceFiles;
        private TransferListener syncProgress = TransferListener.NONE;
        private DecoderEngine decoderEngine = DecoderEngine.PROCESS;
        private VisionEngine visionEngine = VisionEngine.PROCESS;
        private long maxImageFileBytes = FastVlm.Builder.DEFAULT_MAX_IMAGE_FILE_BYTES;
        private boolean literalPrompts = true;
        private String systemPrompt;
        private int visionCacheSize;

        private Builder() {
        }

        /**
         * Sets the device; required.
         *
         * @param device the transport to the device
         * @return this builder
         */
        public Builder device(Transport device) {
            this.device = device;
            return this;
        }

        /**
         * Sets the model artifacts; required.
         *
         * @param models the model files
         * @return this builder
         */
        public Builder models(ModelArtifacts models) {
            this.models = models;
            return this;
        }

        /**
         * Sets the QAIRT SDK and device directory; required.
         *
         * @param runtime the runtime
         * @return this builder
         */
        public Builder runtime(QairtRuntime runtime) {
            this.runtime = runtime;
            return this;
        }

        /**
         * Sets the generation options; {@link GenerationOptions#defaults()} when not set.
         *
         * @param generation the generation options
         * @return this builder
         */
        public Builder generation(GenerationOptions generation) {
            this.generation = generation;
            return this;
        }

        /**
         * Sets where the vision rows go; {@link ImageLayout#PREPEND} when not set.
         *
         * @param imageLayout the image layout
         * @return this builder
         */
        public Builder imageLayout(ImageLayout imageLayout) {
            this.imageLayout = imageLayout;
            return this;
        }

        /**
         * Sets how images are resized; {@link ResizePolicy#STRETCH} when not set.
         *
         * @param resizePolicy the resize policy
         * @return this builder
         */
        public Builder resizePolicy(ResizePolicy resizePolicy) {
            this.resizePolicy = resizePolicy;
            return this;
        }

        /**
         * Sets the limit of one request; {@link FastVlm.Builder#DEFAULT_REQUEST_TIMEOUT} when not set.
         *
         * @param requestTimeout a positive duration
         * @return this builder
         */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        /**
         * Sets where the prompt's embedding rows come from; {@link TextEmbeddingSource#HOST_TABLE} when not set.
         *
         * @param textEmbedding the text embedding source
         * @return this builder
         */
        public Builder textEmbedding(TextEmbeddingSource textEmbedding) {
            this.textEmbedding = textEmbedding;
            return this;
        }

        /**
         * Sets whether request directories stay on the device; {@code false} when not set.
         *
         * @param keepDeviceFiles {@code true} to keep them
         * @return this builder
         */
        public Builder keepDeviceFiles(boolean keepDeviceFiles) {
            this.keepDeviceFiles = keepDeviceFiles;
            return this;
        }

        /**
         * Sets the listener of the one-time push; {@link TransferListener#NONE} when not set.
         *
         * @param syncProgress the progress listener
         * @return this builder
         */
        public Builder syncProgress(TransferListener syncProgress) {
            this.syncProgress = syncProgress;
            return this;
        }

        /**
         * Sets how Genie runs; {@link DecoderEngine#PROCESS} when not set.
         *
         * @param decoderEngine the decoder engine
         * @return this builder
         */
        public Builder decoderEngine(DecoderEngine decoderEngine) {
            this.decoderEngine = decoderEngine;
            return this;
        }

        /**
         * Sets how the vision encoder runs; {@link VisionEngine#PROCESS} when not set.
         *
         * @param visionEngine the vision engine
         * @return this builder
         */
        public Builder visionEngine(VisionEngine visionEngine) {
            this.visionEngine = visionEngine;
            return this;
        }

        /**
         * Sets the largest image file read; {@link FastVlm.Builder#DEFAULT_MAX_IMAGE_FILE_BYTES} when not set.
         *
         * @param maxImageFileBytes the limit in bytes, positive
         * @return this builder
         */
        public Builder maxImageFileBytes(long maxImageFileBytes) {
            this.maxImageFileBytes = maxImageFileBytes;
            return this;
        }

        /**
         * Sets whether special-token text in a prompt is plain text; {@code true} when not set.
         *
         * @param literalPrompts {@code true} for literal prompts
         * @return this builder
         */
        public Builder literalPrompts(boolean literalPrompts) {
            this.literalPrompts = literalPrompts;
            return this;
        }

        /**
         * Sets the system turn of every request; the chat template's own when not set.
         *
         * @param systemPrompt the system prompt, or null for the chat template's
         * @return this builder
         */
        public Builder systemPrompt(String systemPrompt) {
            this.systemPrompt = systemPrompt;
            return this;
        }

        /**
         * Sets how many images' vision rows are kept between requests; 0 (none) when not set.
         *
         * @param visionCacheSize the number of entries, 0 or more
         * @return this builder
         */
        public Builder visionCacheSize(int visionCacheSize) {
            this.visionCacheSize = visionCacheSize;
            return this;
        }

        /**
         * Checks the values and builds the configuration.
         *
         * @return the configuration
         * @throws InvalidConfigurationException naming the first field that is missing or wrong
         */
        public FastVlmConfig build() {
            required(device, "device", "pass a Transport (an ADB device, a local transport or the emulator)");
            required(models, "models", "pass ModelArtifacts or a model directory");
            required(runtime, "runtime", "pass a QairtRuntime pointing at the QAIRT SDK");
            required(generation, "generation", "pass GenerationOptions or leave it unset for the defaults");
            required(imageLayout, "imageLayout", "PREPEND or PLACEHOLDER");
            required(resizePolicy, "resizePolicy", "STRETCH, PAD_TO_SQUARE or CENTER_CROP");
            required(requestTimeout, "requestTimeout", "a positive duration");
            required(textEmbedding, "textEmbedding", "HOST_TABLE or DEVICE_EMBEDDER");
            required(syncProgress, "syncProgress", "use TransferListener.NONE for none");
            required(decoderEngine, "decoderEngine", "PROCESS or IN_PROCESS");
            required(visionEngine, "visionEngine", "PROCESS or IN_PROCESS");
            if (requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new InvalidConfigurationException("requestTimeout", "must be positive, was " + requestTimeout);
            }
            if (maxImageFileBytes <= 0) {
                throw new InvalidConfigurationException("maxImageFileBytes", "must be > 0, was " + maxImageFileBytes);
            }
            if (visionCacheSize < 0) {
                throw new InvalidConfigurationException("visionCacheSize", "must be >= 0 (0 turns the cache off), was "
                        + visionCacheSize);
            }
            return new FastVlmConfig(this);
        }

        private static void required(Object value, String field, String hint) {
            if (value == null) {
                throw new InvalidConfigurationException(field, "is required: " + hint);
            }
        }
    }
}
