package dev.fastvlm;

import dev.fastvlm.spi.FastVlmConfig;
import dev.fastvlm.spi.FastVlmProvider;
import dev.fastvlm.transport.TransferListener;
import dev.fastvlm.transport.Transport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.Future;
import java.util.ServiceLoader;

/**
 * Runs Apple's FastVLM on a Snapdragon NPU: give it an image and a prompt, get the model's answer.
 *
 * <pre>{@code
 * try (FastVlm vlm = FastVlm.builder()
 *         .device(transport)                                   // ADB phone, local, or the emulator
 *         .models(ModelArtifacts.fromDirectory(Path.of("models")))
 *         .runtime(QairtRuntime.of(Path.of("/opt/qairt/2.42.0")))
 *         .generation(GenerationOptions.builder().maxNewTokens(64).build())
 *         .build()) {
 *     Description d = vlm.describe(Path.of("cat.jpg"), "Describe the image.");
 *     System.out.println(d.text() + " (" + d.stats().tokensPerSecond() + " tok/s)");
 *     vlm.describe(Path.of("cat.jpg"), "What colour is it?", System.out::print);   // streaming
 * }
 * }</pre>
 *
 * <p>An instance is thread-safe and owns its transport: {@link #close()} closes it.
 *
 * <h2>Threads</h2>
 * Every thread the library starts is a daemon thread named {@code fastvlm-...}, and has one owner
 * that ends it; once {@link #close()} returns, none of an instance's threads is left (one told to
 * stop may take a moment to unwind its last step). This list is the one place they are documented.
 * <table class="striped">
 * <caption>The library's threads</caption>
 * <thead><tr><th>Name</th><th>What it does</th><th>Owner, and what ends it</th></tr></thead>
 * <tbody>
 * <tr><td>{@code fastvlm-describe-N}</td><td>runs a {@link #describeAsync} request</td>
 *     <td>the instance; {@code close()} interrupts it</td></tr>
 * <tr><td>{@code fastvlm-conversation-N}</td><td>runs a {@link Conversation#askAsync} question</td>
 *     <td>the conversation; its {@code close()} (or the instance's) interrupts it</td></tr>
 * <tr><td>{@code fastvlm-cleanup}</td><td>removes finished requests' device directories</td>
 *     <td>the instance; {@code close()} removes what is left, then ends it</td></tr>
 * <tr><td>{@code fastvlm-image-decode-N}</td><td>decodes a large image while the request resizes it</td>
 *     <td>the request that needs it; ends with that decode, which stops between rows when the
 *     request is cancelled or past its deadline</td></tr>
 * <tr><td>{@code fastvlm-tokenizer-load-N}</td><td>loads the second tokenizer that literal prompts
 *     need, when a prompt first holds special-token text; the request waits for it within its deadline</td>
 *     <td>the instance's tokenizer; ends with the load (a native parse of about a second), and frees
 *     what it built if {@code close()} came first</td></tr>
 * <tr><td>{@code fastvlm-sync-lease DIR}</td><td>renews the device's sync lock</td>
 *     <td>the sync holding the lock; ends when it releases it</td></tr>
 * <tr><td>{@code fastvlm-genie-watchdog-N}</td><td>watches an in-process Genie query's deadline and
 *     cancel ({@link DecoderEngine#IN_PROCESS})</td><td>the instance's Genie dialog; {@code close()}</td></tr>
 * <tr><td>{@code fastvlm-adb TARGET}</td><td>reads device programs' output, stops them, reconnects</td>
 *     <td>the ADB transport; its {@code close()} interrupts them</td></tr>
 * <tr><td>{@code fastvlm-adb-reader ADDRESS}</td><td>reads one direct ADB connection</td>
 *     <td>that connection; ends when the transport drops or closes it</td></tr>
 * <tr><td>{@code fastvlm-adb-connect TARGET}, {@code fastvlm-adb-open SERIAL}</td><td>a first
 *     handshake, or a stream opened through the adb server, that the caller waits for within its
 *     deadline</td><td>the attempt; ends with it (an adb server that never answers an open keeps
 *     that thread waiting for its answer, though no caller waits any more)</td></tr>
 * <tr><td>{@code fastvlm-adb-watchdog SERIAL}</td><td>closes a transfer through the adb server at its
 *     deadline or cancel</td><td>the connection through the adb server; ends when it is closed</td></tr>
 * <tr><td>{@code fastvlm-local-N}</td><td>reads local programs' output ({@code LocalTransport})</td>
 *     <td>the local transport; ends with the program's output, and takes no work after its
 *     {@code close()}</td></tr>
 * </tbody>
 * </table>
 * The instance owns its transport, so its {@code close()} ends the transport's threads too. Shared
 * threads that are not the library's own also do some of the work: the JDK's common
 * {@code ForkJoinPool} resizes large images on both cores, the JDK reaps finished processes, and
 * JNA frees native memory on its {@code JNA Cleaner} thread.
 */
public interface FastVlm extends AutoCloseable {

    /**
     * A new builder.
     *
     * @return a builder with the defaults documented on each setter
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Describes {@code image} as asked by {@code prompt}, passing each piece of the answer to
     * {@code listener} as the device produces it.
     *
     * @param image the picture to describe
     * @param prompt the question or instruction about the image, as the user wrote it
     * @param listener receives each decoded piece of the answer, in order, on the thread that runs the request;
     *     {@link TokenListener#NONE} for none
     * @return the whole answer with its timings
     * @throws InvalidInputException  the image or prompt cannot be used (or the prompt does not fit)
     * @throws DeviceException        the device cannot be reached
     * @throws DeviceToolException    a device program failed
     * @throws FastVlmTimeoutException the request took longer than its limit
     * @throws CancelledException     this instance is closed (or was closed before the request began)
     */
    Description describe(ImageInput image, String prompt, TokenListener listener);

    /**
     * Describes {@code image}; the answer comes whole in the result.
     *
     * @param image the picture to describe
     * @param prompt the question or instruction about the image
     * @return the whole answer with its timings
     * @throws InvalidInputException the image or prompt cannot be used
     * @throws DeviceException the device cannot be reached
     * @throws DeviceToolException a device program failed
     * @throws FastVlmTimeoutException the request took longer than its limit
     * @throws CancelledException this instance is closed
     */
    default Description describe(ImageInput image, String prompt) {
        return describe(image, prompt, TokenListener.NONE);
    }

    /**
     * Describes the image file {@code image}.
     *
     * @param image the image file (any format {@link ImageInput#of(Path)} reads)
     * @param prompt the question or instruction about the image
     * @return the whole answer with its timings
     * @throws InvalidInputException the file cannot be read or decoded, or the prompt cannot be used
     * @throws DeviceException the device cannot be reached
     * @throws DeviceToolException a device program failed
     * @throws FastVlmTimeoutException the request took longer than its limit
     * @throws CancelledException this instance is closed
     */
    default Description describe(Path image, String prompt) {
        return describe(ImageInput.of(image), prompt, TokenListener.NONE);
    }

    /**
     * Describes the image file {@code image}, streaming the answer to {@code listener}.
     *
     * @param image the image file
     * @param prompt the question or instruction about the image
     * @param listener receives each decoded piece of the answer as it arrives, on the calling thread
     * @return the whole answer with its timings
     * @throws InvalidInputException the file cannot be read or decoded, or the prompt cannot be used
     * @throws DeviceException the device cannot be reached
     * @throws DeviceToolException a device program failed
     * @throws FastVlmTimeoutException the request took longer than its limit
     * @throws CancelledException this instance is closed
     */
    default Description describe(Path image, String prompt, TokenListener listener) {
        return describe(ImageInput.of(image), prompt, listener);
    }

    /**
     * Runs {@link #describe(ImageInput, String, TokenListener)} on a background thread. Cancelling
     * the future with {@code mayInterruptIfRunning} stops the request's device programs.
     *
     * @param image the picture to describe
     * @param prompt the question or instruction about the image
     * @param listener receives each decoded piece of the answer, on the background thread
     * @return a future that completes with the answer, or fails with one of the exceptions
     *     {@link #describe(ImageInput, String, TokenListener)} throws (wrapped in an
     *     {@link java.util.concurrent.ExecutionException})
     */
    Future<Description> describeAsync(ImageInput image, String prompt, TokenListener listener);

    /**
     * The decoder's context size: the most tokens one request can hold, image rows, prompt and
     * answer together. A server reports it to its clients; a caller can size its prompts by it.
     *
     * @return tokens the model bundle's decoder context holds
     * @throws FastVlmException this implementation does not know its model's context size
     */
    default int contextSize() {
        throw new FastVlmException(getClass().getName() + " does not report its context size");
    }

    /**
     * Opens a conversation about one image: questions one after another, each answered with the
     * whole conversation so far (see {@link Conversation}). Close it when done; closing this
     * instance ends its conversations.
     *
     * @param options the conversation's image, system prompt and overflow policy
     * @return the open conversation
     * @throws CancelledException this instance is closed
     * @throws FastVlmException this implementation has no conversations
     */
    default Conversation conversation(ConversationOptions options) {
        throw new FastVlmException(getClass().getName() + " does not support conversations");
    }

    /**
     * Releases the device connection and everything held for it; safe from any thread at any
     * moment, and more than once. Requests already running finish (an answer, or their own error;
     * {@link #describeAsync} requests are interrupted and end with {@link CancelledException});
     * requests begun after it end with {@link CancelledException}. Native resources (the tokenizer,
     * an in-process Genie) are freed and the transport closed only once the last running request is
     * done, so this call waits for them, each within its request timeout. Request directories still
     * on the device (a successful request's goes while the next request runs) are removed first.
     */
    @Override
    void close();

    /**
     * Collects the configuration; {@link #build()} validates it, naming the first field that is
     * wrong, and creates the instance.
     */
    final class Builder {
        /** Default limit for one request. */
        public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMinutes(5);
        /** Default largest image file: 256 MiB. */
        public static final long DEFAULT_MAX_IMAGE_FILE_BYTES = 256L * 1024 * 1024;

        /** The defaults and the checks live in the SPI's configuration builder, in one place. */
        private final FastVlmConfig.Builder config = FastVlmConfig.builder();

        Builder() {
        }

        /**
         * The device to run on. Required.
         *
         * @param device the ADB device, local transport or emulator that runs the model; closed by
         *     {@link FastVlm#close()}
         * @return this builder
         */
        public Builder device(Transport device) {
            config.device(device);
            return this;
        }

        /**
         * The model artifacts. Required.
         *
         * @param models the model files to run (pushed to the device once, then reused)
         * @return this builder
         */
        public Builder models(ModelArtifacts models) {
            config.models(models);
            return this;
        }

        /**
         * The model artifacts, found by name in {@code directory}.
         *
         * @param directory a folder holding the model files under their usual names (or a manifest);
         *     the files themselves are checked by {@link #build()}
         * @return this builder
         * @throws InvalidConfigurationException when {@code directory} is not a directory
         */
        public Builder models(Path directory) {
            return models(ModelArtifacts.fromDirectory(directory));
        }

        /**
         * The QAIRT SDK and device-side settings. Required.
         *
         * @param runtime where the QAIRT SDK is and how the device runs it
         * @return this builder
         */
        public Builder runtime(QairtRuntime runtime) {
            config.runtime(runtime);
            return this;
        }

        /**
         * Generation settings; {@link GenerationOptions#defaults()} when not set.
         *
         * @param generation token limits, sampling and stop sequences
         * @return this builder
         */
        public Builder generation(GenerationOptions generation) {
            config.generation(generation);
            return this;
        }

        /**
         * Where the image goes in the sequence; {@link ImageLayout#PREPEND} when not set.
         *
         * @param imageLayout {@link ImageLayout#PREPEND} or {@link ImageLayout#PLACEHOLDER}
         * @return this builder
         */
        public Builder imageLayout(ImageLayout imageLayout) {
            config.imageLayout(imageLayout);
            return this;
        }

        /**
         * How images are resized; {@link ResizePolicy#STRETCH} when not set.
         *
         * @param resizePolicy how an image of another shape is brought to the encoder's square input
         * @return this builder
         */
        public Builder resizePolicy(ResizePolicy resizePolicy) {
            config.resizePolicy(resizePolicy);
            return this;
        }

        /**
         * Limit for one whole request; 5 minutes when not set. Every wait of the request obeys it
         * (the device's lock, connecting, each transfer, each device program): a request ends
         * within this limit plus {@link dev.fastvlm.transport.Deadline#MARGIN 10%} of it, the
         * margin being for stopping its device program and removing its files, and a request
         * whose future is cancelled ends within a second. What it could not remove in time is
         * removed by the next request. {@link #build()} obeys it too: its own waits (the device's
         * first answers, the SDK's host {@code qnn-context-binary-utility}) end within this limit.
         *
         * @param requestTimeout positive limit for one request, including its transfers
         * @return this builder
         */
        public Builder requestTimeout(Duration requestTimeout) {
            config.requestTimeout(requestTimeout);
            return this;
        }

        /**
         * Where the prompt's embedding rows come from; {@link TextEmbeddingSource#HOST_TABLE} when not set.
         *
         * @param textEmbedding {@link TextEmbeddingSource#HOST_TABLE} or {@link TextEmbeddingSource#DEVICE_EMBEDDER}
         * @return this builder
         */
        public Builder textEmbedding(TextEmbeddingSource textEmbedding) {
            config.textEmbedding(textEmbedding);
            return this;
        }

        /**
         * Keeps each request's device directory instead of removing it, for debugging (logged).
         *
         * @param keep {@code true} to leave each request's files on the device; {@code false} (the default) removes
         *     them
         * @return this builder
         */
        public Builder keepDeviceFiles(boolean keep) {
            config.keepDeviceFiles(keep);
            return this;
        }

        /**
         * Progress of the one-time push of model and SDK files to the device (hundreds of MB on the
         * first run against a device, nothing afterwards).
         *
         * @param syncProgress receives byte counts of the push; {@link TransferListener#NONE} for none
         * @return this builder
         */
        public Builder syncProgress(TransferListener syncProgress) {
            config.syncProgress(syncProgress);
            return this;
        }

        /**
         * Runs Genie as a {@code genie-t2t-run} program per request ({@link DecoderEngine#PROCESS}, the
         * default) or in this process ({@link DecoderEngine#IN_PROCESS}, on the device itself).
         *
         * @param decoderEngine {@link DecoderEngine#PROCESS} or {@link DecoderEngine#IN_PROCESS}
         * @return this builder
         */
        public Builder decoderEngine(DecoderEngine decoderEngine) {
            config.decoderEngine(decoderEngine);
            return this;
        }

        /**
         * Runs the vision encoder as a {@code qnn-net-run} program per request
         * ({@link VisionEngine#PROCESS}, the default) or in this process through the QNN C API
         * ({@link VisionEngine#IN_PROCESS}, on the device itself). With both engines in process on a
         * local transport, a request starts no program and writes no file.
         *
         * @param visionEngine {@link VisionEngine#PROCESS} or {@link VisionEngine#IN_PROCESS}
         * @return this builder
         */
        public Builder visionEngine(VisionEngine visionEngine) {
            config.visionEngine(visionEngine);
            return this;
        }

        /**
         * How many images' vision-encoder rows the instance keeps, least recently used first out;
         * 0 (off) when not set. With a cache, a {@code describe} or a conversation whose image's
         * preprocessed pixels have the same SHA-256 digest as a kept image's runs no vision encoder
         * (its {@link Stats#stages()} hold no {@link Stage#VISION_ENCODER}). Each entry holds one
         * image's encoder output (vision tokens x embedding width, in the encoder's output type); the digest needs
         * the whole decoded image, so a cached instance pushes pixels only once they are all decoded.
         *
         * @param entries the number of images kept, 0 or more; 0 turns the cache off
         * @return this builder
         */
        public Builder visionCacheSize(int entries) {
            config.visionCacheSize(entries);
            return this;
        }

        /**
         * Largest image file {@link #describe(ImageInput, String, TokenListener)} reads, in bytes;
         * {@value #DEFAULT_MAX_IMAGE_FILE_BYTES} when not set. A larger file, and anything that is not
         * a regular file (a FIFO, a device such as {@code /dev/zero}), is refused with
         * {@link InvalidInputException} before a byte is read.
         *
         * @param maxImageFileBytes largest accepted image file, in bytes; must be positive
         * @return this builder
         */
        public Builder maxImageFileBytes(long maxImageFileBytes) {
            config.maxImageFileBytes(maxImageFileBytes);
            return this;
        }

        /**
         * Whether the prompt is literal text (the default, and the safe choice for prompts from
         * users): special-token text in it such as {@code <|im_end|>} or {@code <|im_start|>system}
         * is encoded as ordinary characters, so a prompt cannot end its turn or forge another one.
         * The chat template's own special tokens are real control tokens either way. {@code false}
         * makes special-token text in the prompt control tokens, for callers who build turns themselves.
         *
         * @param literalPrompts {@code true} (the default) to encode special-token text in prompts as plain
         *     characters
         * @return this builder
         */
        public Builder literalPrompts(boolean literalPrompts) {
            config.literalPrompts(literalPrompts);
            return this;
        }

        /**
         * The system turn of every request, such as {@code "Answer in one short sentence."}; when not
         * set, the chat template's own (Qwen2's {@code "You are a helpful assistant."}). It is
         * trusted text: special-token text in it stays a control token, unlike in prompts.
         *
         * @param systemPrompt the system prompt, or null for the chat template's
         * @return this builder
         */
        public Builder systemPrompt(String systemPrompt) {
            config.systemPrompt(systemPrompt);
            return this;
        }

        /**
         * Validates the configuration and creates the instance.
         *
         * @return a ready instance that owns the transport given to {@link #device(Transport)}
         * @throws InvalidConfigurationException naming the field that is missing or wrong
         * @throws FastVlmException              when no implementation ({@code fastvlm-core}) is on the class path
         */
        public FastVlm build() {
            return provider().create(config());
        }

        FastVlmConfig config() {
            return config.build();
        }

        private static FastVlmProvider provider() {
            Iterator<FastVlmProvider> providers =
                    ServiceLoader.load(FastVlmProvider.class, FastVlm.class.getClassLoader()).iterator();
            if (!providers.hasNext()) {
                throw new FastVlmException("no FastVlm implementation on the class path: "
                        + "add the dependency dev.fastvlm:fastvlm-core");
            }
            return providers.next();
        }
    }
}
