package dev.fastvlm.genie.config;

import dev.fastvlm.DecoderBackend;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.InvalidInputException;

import java.util.List;
import java.util.Objects;

/**
 * Builds the Genie dialog config of one FastVLM request: the decoder's geometry from its metadata,
 * this run's device files, the generation options, and a {@code max-num-tokens} that is the most
 * the context can hold after the prompt.
 *
 * <pre>{@code
 * GenieConfig config = FastVlmGenieConfigs.builder(DecoderGeometry.fromHuggingFaceConfig(dir.resolve("config.json")),
 *         DecoderBackend.CPU)
 *     .contextSize(512).tokenizerPath("tokenizer.json").modelFiles(List.of("fastvlm_model_z8.bin"))
 *     .generation(options).promptTokens(300)
 *     .build();
 * }</pre>
 */
public final class FastVlmGenieConfigs {
    /** CPU threads of the seed's CPU decoder run. */
    static final int CPU_THREADS = 6;
    /** CPU threads of Qualcomm's public HTP dialog configs; the NPU does the heavy work. */
    static final int HTP_THREADS = 3;

    private FastVlmGenieConfigs() {
    }

    /**
     * A builder for one request's dialog config.
     *
     * @param geometry the decoder's shape and special tokens, from its {@code config.json}
     * @param backend which Genie backend decodes: the CPU model library or the HTP context binaries
     * @return a builder with float32 embeddings and the default generation options
     * @throws NullPointerException when an argument is null
     */
    public static Builder builder(DecoderGeometry geometry, DecoderBackend backend) {
        return new Builder(Objects.requireNonNull(geometry, "geometry"), Objects.requireNonNull(backend, "backend"));
    }

    /** Collects one request's settings; {@link #build()} checks them and the resulting config. */
    public static final class Builder {
        private final DecoderGeometry geometry;
        private final DecoderBackend backend;
        private Integer contextSize;
        private String tokenizerPath;
        private List<String> modelFiles;
        private String lutPath;
        private String extensionsPath;
        private EmbeddingDatatype embeddingDatatype = EmbeddingDatatype.FLOAT32;
        private GenerationOptions generation = GenerationOptions.defaults();
        private Integer promptTokens;
        private Integer nThreads;
        private QnnHtpConfig htp;
        private boolean writeMaxNumTokens = true;

        private Builder(DecoderGeometry geometry, DecoderBackend backend) {
            this.geometry = geometry;
            this.backend = backend;
        }

        /**
         * Tokens the decoder's KV cache holds (fixed when the model was exported, 512 for FastVLM's).
         *
         * @param contextSize tokens of context, between 1 and the model's {@code max_position_embeddings}
         * @return this builder
         */
        public Builder contextSize(int contextSize) {
            this.contextSize = contextSize;
            return this;
        }

        /**
         * The {@code tokenizer.json} on the device.
         *
         * @param path device path of the HuggingFace {@code tokenizer.json}
         * @return this builder
         */
        public Builder tokenizerPath(String path) {
            this.tokenizerPath = path;
            return this;
        }

        /**
         * The decoder's files on the device: one model library for {@link DecoderBackend#CPU}, the
         * context binaries in order for {@link DecoderBackend#HTP}.
         *
         * @param files device paths, in load order; copied
         * @return this builder
         */
        public Builder modelFiles(List<String> files) {
            this.modelFiles = files == null ? null : List.copyOf(files);
            return this;
        }

        /**
         * The token-to-embedding table on the device, written into the config as an embedding of type
         * {@code lut}; null (the default) leaves it to {@code genie-t2t-run --embedding_table}, as the
         * seed does.
         *
         * @param path device path of the table, or null
         * @return this builder
         */
        public Builder lutPath(String path) {
            this.lutPath = path;
            return this;
        }

        /**
         * The HTP backend extension JSON on the device (HTP only).
         *
         * @param path device path of the extension JSON, or null for none
         * @return this builder
         */
        public Builder extensionsPath(String path) {
            this.extensionsPath = path;
            return this;
        }

        /**
         * Element type of the embeddings fed to Genie; float32 by default.
         *
         * @param datatype the element type, not null
         * @return this builder
         * @throws NullPointerException when {@code datatype} is null
         */
        public Builder embeddingDatatype(EmbeddingDatatype datatype) {
            this.embeddingDatatype = Objects.requireNonNull(datatype, "datatype");
            return this;
        }

        /**
         * Sampling, stop sequences and token limits of the request; {@link GenerationOptions#defaults()} when not
         * set.
         *
         * @param options the request's generation options
         * @return this builder
         * @throws NullPointerException when {@code options} is null
         */
        public Builder generation(GenerationOptions options) {
            this.generation = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Length of the prompt (vision plus text tokens) this config will carry.
         *
         * @param tokens positive token count of vision rows plus text tokens
         * @return this builder
         */
        public Builder promptTokens(int tokens) {
            this.promptTokens = tokens;
            return this;
        }

        /**
         * CPU threads; by default 6 for the CPU decoder and 3 for the HTP decoder.
         *
         * @param threads CPU threads Genie may use, &gt; 0
         * @return this builder
         */
        public Builder nThreads(int threads) {
            this.nThreads = threads;
            return this;
        }

        /**
         * The {@code QnnHtp} block (HTP only); by default Qualcomm's public settings with kv-dim = head width.
         *
         * @param htpConfig the block, or null for the default
         * @return this builder
         */
        public Builder htp(QnnHtpConfig htpConfig) {
            this.htp = htpConfig;
            return this;
        }

        /**
         * Whether to write {@code max-num-tokens} (default true). The seed's config leaves it out, so
         * Genie generates until the context is full or a stop condition is met.
         *
         * @param write {@code false} to leave {@code max-num-tokens} out, as the seed does
         * @return this builder
         */
        public Builder writeMaxNumTokens(boolean write) {
            this.writeMaxNumTokens = write;
            return this;
        }

        /**
         * Checks the settings and builds the config. {@code max-num-tokens} is the smaller of
         * {@link GenerationOptions#maxNewTokens()} and the room the context leaves after the prompt.
         *
         * @return the checked dialog config
         * @throws InvalidConfigurationException naming the setting that is missing or wrong (context size, prompt
         *     length, tokenizer, model files, or HTP settings given for the CPU backend)
         * @throws InvalidInputException when the prompt leaves fewer than {@link GenerationOptions#minNewTokens()}
         *     tokens of room
         * @throws GenieConfigException when the resulting config breaks one of Genie's rules
         */
        public GenieConfig build() {
            int size = required(contextSize, "genie.contextSize");
            if (size <= 0 || size > geometry.maxPositionEmbeddings()) {
                throw new InvalidConfigurationException("genie.contextSize", "must be in [1, "
                        + geometry.maxPositionEmbeddings() + "] (the model's max_position_embeddings), was " + size);
            }
            int prompt = required(promptTokens, "genie.promptTokens");
            if (prompt <= 0) {
                throw new InvalidConfigurationException("genie.promptTokens", "must be > 0, was " + prompt);
            }
            int room = size - prompt;
            if (room < generation.minNewTokens()) {
                throw new InvalidInputException("the prompt takes " + prompt + " of the context's " + size
                        + " tokens, leaving room for " + Math.max(room, 0) + " new tokens; at least "
                        + generation.minNewTokens() + " (generation.minNewTokens) are required");
            }
            required(tokenizerPath, "genie.tokenizerPath");
            required(modelFiles, "genie.modelFiles");
            ContextConfig context = new ContextConfig(size, geometry.nVocab(), geometry.bosToken(),
                    geometry.eosTokens(), null, geometry.padToken(), null);
            EmbeddingConfig embedding = EmbeddingConfig.of(geometry.nEmbd(), embeddingDatatype);
            if (lutPath != null) {
                embedding = embedding.withLut(lutPath);
            }
            GenieConfig config = GenieConfig.builder()
                    .type(GenieConfig.TYPE_BASIC)
                    .maxNumTokens(writeMaxNumTokens ? Math.min(room, generation.maxNewTokens()) : null)
                    .stopSequence(generation.stopSequences().isEmpty() ? null : generation.stopSequences())
                    .embedding(embedding)
                    .context(context)
                    .sampler(SamplerConfig.of(generation))
                    .tokenizerPath(tokenizerPath)
                    .engine(backend == DecoderBackend.CPU ? cpuEngine() : htpEngine())
                    .build();
            config.checkPromptFits(prompt);
            return config;
        }

        private EngineConfig cpuEngine() {
            if (modelFiles.size() != 1) {
                throw new InvalidConfigurationException("genie.modelFiles", "the CPU decoder loads exactly one"
                        + " model library, got " + modelFiles.size() + " files: " + modelFiles);
            }
            if (extensionsPath != null || htp != null) {
                throw new InvalidConfigurationException("genie.backend", "HTP settings (extensions, QnnHtp block)"
                        + " do not apply to the CPU decoder");
            }
            QnnGenAiTransformerConfig cpu = QnnGenAiTransformerConfig.forEmbeddings(geometry.nLayer(),
                    geometry.nEmbd(), geometry.nHeads(), geometry.nKvHeads());
            return new EngineConfig(nThreads == null ? CPU_THREADS : nThreads, BackendConfig.genAiTransformer(cpu),
                    ModelConfig.library(modelFiles.get(0)));
        }

        private EngineConfig htpEngine() {
            if (modelFiles.isEmpty()) {
                throw new InvalidConfigurationException("genie.modelFiles", "the HTP decoder needs at least one"
                        + " context binary");
            }
            QnnHtpConfig block = htp != null ? htp : QnnHtpConfig.builder().kvDim(geometry.headDim())
                    .allowAsyncInit(false).build();
            ModelConfig model = ModelConfig.binary(modelFiles);
            if (block.posIdDim() == null && block.ropeTheta() == null) {
                model = model.withPositionalEncoding(PositionalEncoding.rope(geometry.headDim(),
                        geometry.ropeTheta()));
            }
            return new EngineConfig(nThreads == null ? HTP_THREADS : nThreads,
                    BackendConfig.htp(block, extensionsPath), model);
        }

        private static <T> T required(T value, String field) {
            if (value == null) {
                throw new InvalidConfigurationException(field, "is required");
            }
            return value;
        }
    }
}
