package dev.fastvlm.core.pipeline;

import dev.fastvlm.CancelledException;
import dev.fastvlm.DecoderBackend;
import dev.fastvlm.DecoderEngine;
import dev.fastvlm.Description;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.ImageInput;
import dev.fastvlm.ImageLayout;
import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.InvalidInputException;
import dev.fastvlm.ModelArtifact;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.Stage;
import dev.fastvlm.Stats;
import dev.fastvlm.TextEmbeddingSource;
import dev.fastvlm.TokenListener;
import dev.fastvlm.VisionEngine;
import dev.fastvlm.core.device.ArtifactSync;
import dev.fastvlm.transport.DeviceScripts;
import dev.fastvlm.core.device.RequestDirectory;
import dev.fastvlm.core.embed.CombinedEmbeddings;
import dev.fastvlm.core.embed.EmbeddingTable;
import dev.fastvlm.core.embed.TextEmbeddings;
import dev.fastvlm.core.embed.VisionEmbeddings;
import dev.fastvlm.core.image.ImagePreprocessor;
import dev.fastvlm.core.image.OutputLayout;
import dev.fastvlm.core.image.PreprocessedImage;
import dev.fastvlm.core.image.decode.StandardDecoder;
import dev.fastvlm.core.text.EncodedPrompt;
import dev.fastvlm.core.text.PromptBudget;
import dev.fastvlm.core.text.PromptOptions;
import dev.fastvlm.core.text.PromptTokenizer;
import dev.fastvlm.genie.config.HtpBackendExtensions;
import dev.fastvlm.genie.internal.UserCache;
import dev.fastvlm.genie.profile.DialogQuery;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.soc.Soc;
import dev.fastvlm.spi.FastVlmConfig;
import dev.fastvlm.transport.Deadline;
import dev.fastvlm.transport.TransferListener;
import dev.fastvlm.transport.Transport;
import dev.fastvlm.transport.TransportCapability;
import dev.fastvlm.transport.Upload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The seed flow as a straight line of named, timed stages over a {@link Transport}. Host stages
 * (preprocess, tokenize) run concurrently for concurrent requests; device stages hold the device's
 * lock, so one device runs one request's programs at a time, each in its own directory.
 */
final class DescribePipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DescribePipeline.class);
    /** One lock per device, shared by every instance that talks to it from this JVM. */
    private static final ConcurrentHashMap<String, ReentrantLock> DEVICE_LOCKS = new ConcurrentHashMap<>();
    static final String HTP_EXTENSIONS = "htp_backend_ext_config.json";
    private static final Duration CLEANUP_WAIT = Duration.ofMinutes(1);
    /** The folder of the user's cache where parsed tokenizer files are kept. */
    private static final String TOKENIZER_CACHE = "tokenizers";
    /** How long close() tries to remove failed requests' leftovers: on a dead link it must not hang. */
    private static final Duration LEFTOVERS_WAIT = Duration.ofSeconds(10);
    /** How long a finished request's directory waits for the next request's device program before it goes anyway. */
    private static final Duration CLEANUP_IDLE_DELAY = Duration.ofSeconds(1);

    private final FastVlmConfig config;
    private final Transport transport;
    private final ModelBundle bundle;
    private final Soc soc;
    private final QairtSdk sdk;
    private final PromptTokenizer tokenizer;
    private final ImagePreprocessor images;
    private final EmbeddingTable table;
    private final String deviceDir;
    private final ReentrantLock deviceLock;
    /** Removes finished requests' device directories off the callers' time; {@link #close} waits for it. */
    private final DeferredRemoval cleaner = new DeferredRemoval(CLEANUP_IDLE_DELAY, CLEANUP_WAIT);
    private final VisionEncoder visionEncoder;
    private final TextRowSource textRows;
    private final Decoder decoder;
    /** The rows of images seen before, shared by describe and conversations; keeps nothing when off. */
    private final VisionCache visionCache;
    private boolean synced;
    /** Whether the next request first removes stale request directories: the first one of this instance. */
    private volatile boolean sweepNeeded = true;
    /** Directories of failed requests, which the next request removes in case their own clean-up could not. */
    private final java.util.Queue<String> failedRequests = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private DescribePipeline(FastVlmConfig config, ModelBundle bundle, Soc soc, QairtSdk sdk,
                             PromptTokenizer tokenizer, ImagePreprocessor images, EmbeddingTable table) {
        this.config = config;
        this.transport = config.device();
        this.bundle = bundle;
        this.soc = soc;
        this.sdk = sdk;
        this.tokenizer = tokenizer;
        this.images = images;
        this.table = table;
        this.deviceDir = config.runtime().deviceDirectory();
        this.deviceLock = DEVICE_LOCKS.computeIfAbsent(transport.target(), target -> new ReentrantLock(true));
        this.visionEncoder = VisionEncoder.forPipeline(config.visionEngine(), bundle, deviceDir);
        this.textRows = TextRowSource.of(config.textEmbedding(), bundle, table);
        this.decoder = decoder(config, bundle, table);
        this.visionCache = VisionCache.of(config.visionCacheSize());
    }

    /** The decoder engine {@link FastVlmConfig#decoderEngine()} names. */
    private static Decoder decoder(FastVlmConfig config, ModelBundle bundle, EmbeddingTable table) {
        String deviceDir = config.runtime().deviceDirectory();
        DialogConfigs configs = new DialogConfigs(bundle, deviceDir, config.runtime().decoderBackend());
        return switch (config.decoderEngine()) {
            case PROCESS -> new ProcessDecoder(configs,
                    deviceDir + "/" + bundle.require(ModelArtifact.EMBEDDING_TABLE).getFileName());
            case IN_PROCESS -> new InProcessDecoder(Path.of(deviceDir, "libGenie.so"), table, configs,
                    config.generation());
        };
    }

    /**
     * Resolves and checks everything that does not change between requests. With both engines in
     * this process, also syncs the files and loads both models now, so that requests only compute.
     */
    static DescribePipeline open(FastVlmConfig config) {
        boolean local = config.device().capabilities().contains(TransportCapability.DEVICE_IS_THIS_MACHINE);
        if (config.decoderEngine() == DecoderEngine.IN_PROCESS && !local) {
            throw new InvalidConfigurationException("decoderEngine", "IN_PROCESS loads libGenie.so into this JVM, so"
                    + " the device must be this machine (a transport with DEVICE_IS_THIS_MACHINE, such as"
                    + " LocalTransport), not " + config.device().target());
        }
        if (config.visionEngine() == VisionEngine.IN_PROCESS && !local) {
            throw new InvalidConfigurationException("visionEngine", "IN_PROCESS loads libQnnHtp.so into this JVM, so"
                    + " the device must be this machine (a transport with DEVICE_IS_THIS_MACHINE, such as"
                    + " LocalTransport), not " + config.device().target());
        }
        ModelBundle bundle = ModelBundle.resolve(config.models(), Optional.of(config.runtime().sdkDirectory()));
        if (config.textEmbedding() == TextEmbeddingSource.DEVICE_EMBEDDER && bundle.textEmbedder().isEmpty()) {
            throw new ModelArtifactException("textEmbedding DEVICE_EMBEDDER needs the text embedder's context binary"
                    + " and its context-info JSON in the bundle");
        }
        // The vocabulary loads on a thread of its own while a first request syncs, pushes its image and runs
        // the vision encoder: FastVLM's 11 MB tokenizer.json is read in plain Java from the parsed form kept
        // in the user's cache (a tenth of a second; the first load of a file parses it, as long as the native
        // library's 0.8-1 s), other shapes by the native library. Literal prompts' second tokenizer loads
        // only for a prompt holding special-token text. Requests wait for either under their own deadline
        // (PromptTokenizer). It starts before the chip is asked for and the SDK and table are opened: a
        // one-shot request with a small image otherwise waits for its end.
        PromptTokenizer tokenizer = PromptTokenizer.loadInBackground(bundle.require(ModelArtifact.TOKENIZER),
                UserCache.folder().resolve(TOKENIZER_CACHE));
        // likewise the JPEG decoder's native library, which a first JPEG would otherwise load on the caller's thread
        StandardDecoder.loadJpegLibraryAhead();
        DescribePipeline pipeline;
        try {
            Soc soc = Soc.fromChip(DeviceScripts.output(config.device(), "getprop ro.soc.model").strip());
            QairtSdk sdk = QairtSdk.open(config.runtime().sdkDirectory(), soc.htpArch().dspArch(),
                    config.runtime().decoderBackend());
            EmbeddingTable table = openTable(bundle);
            ImagePreprocessor images = ImagePreprocessor.builder()
                    .size(bundle.imageSize())
                    .resizePolicy(config.resizePolicy())
                    .maxFileBytes(config.maxImageFileBytes())
                    .layout(bundle.imageInput().dataType() == QnnDataType.FLOAT_32
                            ? OutputLayout.FLOAT32_NCHW : OutputLayout.UINT8_HWC)
                    .build();
            LOG.info("FastVLM on {} ({} {}, HTP {}): {} vision tokens x {}, context {}", config.device().target(),
                    soc.chip(), soc.marketingName(), soc.htpArch().dspArch(), bundle.visionTokens(),
                    bundle.geometry().nEmbd(), bundle.contextSize());
            pipeline = new DescribePipeline(config, bundle, soc, sdk, tokenizer, images, table);
        } catch (RuntimeException | Error e) {
            tokenizer.close();
            throw e;
        }
        if (config.visionEngine() == VisionEngine.IN_PROCESS && config.decoderEngine() == DecoderEngine.IN_PROCESS) {
            try {
                pipeline.syncOnce();
                pipeline.visionEncoder.preload();
                pipeline.decoder.preload();
            } catch (RuntimeException | Error e) {
                pipeline.close();
                throw e;
            }
        }
        return pipeline;
    }

    private static EmbeddingTable openTable(ModelBundle bundle) {
        Path lut = bundle.require(ModelArtifact.EMBEDDING_TABLE);
        long floatTable = 4L * bundle.geometry().nVocab() * bundle.geometry().nEmbd();
        try {
            long size = Files.size(lut);
            if (size != floatTable) {
                throw new ModelArtifactException(lut + " holds " + size + " bytes; genie-t2t-run needs a float32 table of "
                        + bundle.geometry().nVocab() + " x " + bundle.geometry().nEmbd() + " x 4 = " + floatTable + " bytes");
            }
        } catch (IOException e) {
            throw new ModelArtifactException("cannot read " + lut + ": " + e.getMessage(), e);
        }
        return EmbeddingTable.open(lut, bundle.geometry().nEmbd(), QnnDataType.FLOAT_32, Optional.empty());
    }

    /**
     * One request, under one {@link Deadline} of {@code requestTimeout} that every wait of it obeys
     * (the device's lock, each transfer, each program); after it passes, or a cancel, the request
     * cleans up within {@link Deadline#MARGIN} of its limit (a cancel within a second), and what it
     * could not remove is swept by the next request.
     */
    Description describe(ImageInput image, String prompt, TokenListener listener) {
        if (prompt == null) {
            throw new InvalidInputException("prompt must not be null");
        }
        return Deadline.after(config.requestTimeout(), "describe").call(() -> describeInTime(image, prompt, listener));
    }

    private Description describeInTime(ImageInput image, String prompt, TokenListener listener) {
        StageClock clock = new StageClock();
        // A PNG at the encoder's size comes back at once and inflates on another core (see push-image),
        // which the prompt's tokenizing, here on the caller's thread, leaves to it.
        Pixels pixels = preprocess(image, clock);
        // Fail on an over-long prompt before any device work; the Genie config derives max-num-tokens again.
        // While the vocabulary still loads, a prompt whose bound surely fits is tokenized after the vision
        // encoder instead, so that the load overlaps the device work.
        Supplier<EncodedPrompt> text;
        if (!tokenizer.isLoaded() && surelyFits(prompt)) {
            text = () -> tokenize(prompt, clock);
        } else {
            EncodedPrompt encoded = tokenize(prompt, clock);
            text = () -> encoded;
        }
        return onDevice(clock, new Prompt(pixels.toEncode(), pixels.cached(), text, config.generation(),
                DialogTurn.single()), listener, vision -> visionCache.put(pixels.digest(), vision));
    }

    /**
     * Preprocesses an image and, with the vision cache on, looks up its rows by the pixels' digest:
     * one {@link Stage#PREPROCESS} stage either way.
     */
    private Pixels preprocess(ImageInput image, StageClock clock) {
        return clock.time(Stage.PREPROCESS, () -> {
            PreprocessedImage pixels = images.preprocessStreaming(image);
            Optional<VisionCache.Digest> digest = visionCache.digest(pixels);
            return new Pixels(pixels, digest, visionCache.get(digest).orElse(null));
        });
    }

    /**
     * A preprocessed image.
     *
     * @param pixels the encoder's input
     * @param digest the pixels' digest, present when the vision cache is on
     * @param cached the image's rows from the vision cache, or null when the encoder must run
     */
    private record Pixels(PreprocessedImage pixels, Optional<VisionCache.Digest> digest, VisionEmbeddings cached) {
        /** The pixels when the vision encoder must run, else null. */
        PreprocessedImage toEncode() {
            return cached == null ? pixels : null;
        }
    }

    /** {@return tokens the bundle's decoder context holds} */
    int contextSize() {
        return bundle.contextSize();
    }

    /**
     * One question of a conversation, under the request timeout as {@link #describe} is: the image
     * is preprocessed and encoded on the first question only, the prompt is the whole conversation
     * (fitted to the context by its overflow policy before any device work), and the vision rows are
     * kept in {@code conversation}. The caller adds the answered turn to the conversation.
     */
    Description converse(ConversationState conversation, String question, GenerationOptions generation,
                         TokenListener listener) {
        if (question == null) {
            throw new InvalidInputException("question must not be null");
        }
        GenerationOptions options = generation != null ? generation : config.generation();
        return Deadline.after(config.requestTimeout(), "conversation").call(() -> {
            StageClock clock = new StageClock();
            boolean hasImage = conversation.image().isPresent();
            VisionEmbeddings vision = conversation.vision();
            PreprocessedImage pixels = null;
            Consumer<VisionEmbeddings> encoded = conversation::keepVision;
            if (hasImage && vision == null) {
                Pixels seen = preprocess(conversation.image().get(), clock);
                pixels = seen.toEncode();
                vision = seen.cached();
                if (vision != null) {
                    conversation.keepVision(vision);
                }
                encoded = rows -> {
                    conversation.keepVision(rows);
                    visionCache.put(seen.digest(), rows);
                };
            }
            // A text-only conversation renders the template without an image: the PREPEND layout adds no marker.
            PromptOptions.Builder promptOptions = promptOptions(config).toBuilder().systemPrompt(
                    conversation.systemPrompt().orElse(config.systemPrompt().orElse(null)));
            if (!hasImage) {
                promptOptions.layout(ImageLayout.PREPEND);
            }
            int imageRows = hasImage ? bundle.visionTokens() : 0;
            ConversationState.Fitted fitted = clock.time(Stage.TOKENIZE, () -> conversation.fit(tokenizer,
                    promptOptions.build(), question, imageRows, bundle.contextSize(), options));
            int historyRows = fitted.prompt().historyTokens() + imageRows;
            DialogTurn turn = new DialogTurn(conversation, conversation.size(), fitted.dropped(),
                    fitted.prompt().historyTokens() == 0 ? 0 : historyRows, true);
            return onDevice(clock, new Prompt(pixels, vision, () -> fitted.prompt().prompt(), options, turn), listener,
                    encoded);
        });
    }

    /** Forgets what the decoder keeps for a conversation that ended, once no request uses the device. */
    void endConversation(ConversationState conversation) {
        deviceLock.lock();
        try {
            decoder.release(conversation);
        } finally {
            deviceLock.unlock();
        }
    }

    /**
     * What one request gives the device stages.
     *
     * @param pixels the preprocessed image, or null when {@code vision} holds its rows already (or there is no image)
     * @param vision the image's rows from an earlier request or the vision cache, or null; both null for a
     *               text-only prompt
     * @param text   the prompt's ids, which may be tokenized only when asked (after the vision encoder)
     */
    private record Prompt(PreprocessedImage pixels, VisionEmbeddings vision, Supplier<EncodedPrompt> text,
                          GenerationOptions generation, DialogTurn turn) {
    }

    private Description onDevice(StageClock clock, Prompt prompt, TokenListener listener,
                                  Consumer<VisionEmbeddings> encoded) {
        CountingTransport device = new CountingTransport(transport);
        try {
            if (!deviceLock.tryLock(Deadline.remainingNanos(Long.MAX_VALUE), TimeUnit.NANOSECONDS)) {
                throw Deadline.timeout("waiting for the device " + transport.target(), config.requestTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException("cancelled while waiting for the device " + transport.target(), e);
        }
        try {
            long modelBytes = clock.time(Stage.SYNC, this::syncOnce);
            RequestWork work = new RequestWork(device, clock, () -> reserveDirectory(device, clock), deviceDir,
                    config.requestTimeout(), cleaner);
            DecoderOutput decoded;
            try {
                decoded = run(work, prompt, listener, encoded);
            } catch (RuntimeException | Error e) {
                // A failed request leaves nothing behind by the time the caller sees its exception, unless
                // the link is what failed: then the next request sweeps what is left.
                work.reserved().ifPresent(directory -> {
                    failedRequests.add(directory.path());
                    clock.time(Stage.CLEANUP, () -> Deadline.cleanUp("removing " + directory.path(), CLEANUP_WAIT,
                            directory::close));
                });
                throw e;
            }
            // A request that succeeded has its answer already: its directory goes later, in the background.
            work.reserved().ifPresent(cleaner::release);
            DialogQuery query = decoded.query();
            return new Description(decoded.text(), new Stats((int) query.promptTokens(),
                    (int) query.generatedTokens(), Duration.ofNanos(query.timeToFirstTokenMicros() * 1000),
                    query.tokensPerSecond(), decoded.initTime(), clock.timings(), modelBytes, device.bytesPushed(),
                    device.bytesPulled()));
        } finally {
            deviceLock.unlock();
        }
    }

    /** The prompt's token ids, refused when the context has no room for them with the image and the answer. */
    private EncodedPrompt tokenize(String prompt, StageClock clock) {
        EncodedPrompt text = clock.time(Stage.TOKENIZE, () -> tokenizer.encode(prompt, promptOptions(config)));
        PromptBudget.maxNewTokens(bundle.visionTokens(), text.size(), bundle.contextSize(), config.generation());
        return text;
    }

    /** Whether the prompt fits the context whatever its exact token count (a bound that needs no vocabulary). */
    private boolean surelyFits(String prompt) {
        OptionalInt bound = tokenizer.tokensAtMost(prompt, promptOptions(config));
        return bound.isPresent() && (long) bundle.contextSize() - bundle.visionTokens() - bound.getAsInt()
                >= config.generation().minNewTokens();
    }

    /**
     * The request's own device directory, when its first engine that works through device files asks
     * for it: first the leftovers of earlier requests go (the instance's first such request sweeps
     * stale directories), then a fresh directory is reserved.
     */
    private RequestDirectory reserveDirectory(CountingTransport device, StageClock clock) {
        if (sweepNeeded || !failedRequests.isEmpty()) {
            List<String> leftovers = new ArrayList<>(failedRequests);
            clock.time(Stage.SWEEP, () -> RequestDirectory.sweep(device, deviceDir + "/requests", staleAfter(),
                    leftovers));
            failedRequests.removeAll(leftovers);
            sweepNeeded = false;
        }
        RequestDirectory directory = RequestDirectory.reserve(device, deviceDir + "/requests");
        return config.keepDeviceFiles() ? directory.keep() : directory;
    }

    /** How a request's prompt is encoded: the configured layout, literal unless the caller opted out. */
    static PromptOptions promptOptions(FastVlmConfig config) {
        return PromptOptions.builder().layout(config.imageLayout()).literalUserText(config.literalPrompts())
                .systemPrompt(config.systemPrompt().orElse(null)).build();
    }

    /**
     * How old a request directory must be to be left over: older than the longest a request of
     * this instance lives (its limit and margin), plus a second for the device clock's resolution.
     * Requests of this JVM on the device never overlap the sweep, which holds the device's lock.
     */
    private Duration staleAfter() {
        return Duration.ofMillis((long) (config.requestTimeout().toMillis() * (1 + Deadline.MARGIN))).plusSeconds(1);
    }

    /** Pushes model and SDK files the device lacks: once per instance, and nothing when already there. */
    private long syncOnce() {
        if (synced) {
            return 0;
        }
        List<ArtifactSync.Artifact> artifacts = new ArrayList<>();
        for (Path file : bundle.deviceFiles()) {
            boolean embedderNeeded = config.textEmbedding() == TextEmbeddingSource.DEVICE_EMBEDDER;
            if (embedderNeeded || !file.equals(bundle.file(ModelArtifact.TEXT_EMBEDDER).orElse(null))) {
                artifacts.add(ArtifactSync.Artifact.of(file));
            }
        }
        sdk.deviceFiles().forEach(file -> artifacts.add(ArtifactSync.Artifact.of(file)));
        ArtifactSync.Report report = ArtifactSync.to(transport, deviceDir).sync(artifacts, config.syncProgress());
        long pushed = report.bytesPushed();
        if (config.runtime().decoderBackend() == DecoderBackend.HTP) {
            byte[] json = HtpBackendExtensions.forSoc(soc).toJson().getBytes(StandardCharsets.UTF_8);
            transport.write(deviceDir + "/" + HTP_EXTENSIONS, json.length, out -> out.write(json), TransferListener.NONE);
            pushed += json.length;
        }
        synced = true;
        return pushed;
    }

    /**
     * The device stages of one request, each engine in turn. Inputs are written
     * {@link Upload#inPlace() in place}: the request directory is private to it, nothing reads a
     * file before its batch is written, and the directory goes when the request ends, so a
     * temporary name and a rename (one more device round trip per batch) would protect nothing.
     */
    private DecoderOutput run(RequestWork work, Prompt prompt, TokenListener listener,
                              Consumer<VisionEmbeddings> encoded) {
        VisionEmbeddings vision = prompt.vision();
        if (vision == null && prompt.pixels() != null) {
            vision = visionEncoder.encode(work, prompt.pixels());
            encoded.accept(vision);
        }
        EncodedPrompt text = prompt.text().get();
        TextEmbeddings rows = textRows.embed(work, text);
        CombinedEmbeddings.Builder sequence = CombinedEmbeddings.builder().text(rows);
        if (vision != null) {
            sequence.vision(vision).layout(config.imageLayout(), text.imageIndex().orElse(0));
        }
        CombinedEmbeddings combined = sequence.build();
        int maxNewTokens = Math.min(bundle.contextSize() - combined.rows(), prompt.generation().maxNewTokens());
        return decoder.decode(work, combined, prompt.generation(), maxNewTokens, prompt.turn(), listener);
    }

    /**
     * Removes what this instance's requests left on the device (a successful request's directory,
     * a failed one's that its clean-up margin could not remove), then frees the tokenizer and an
     * in-process Genie. Called once no request runs.
     */
    @Override
    public void close() {
        cleaner.close();
        List<String> leftovers = new ArrayList<>(failedRequests);
        if (!leftovers.isEmpty()) {
            try {
                Deadline.cleanUp("removing " + leftovers, LEFTOVERS_WAIT, () -> RequestDirectory.sweep(transport,
                        deviceDir + "/requests", staleAfter(), leftovers));
                failedRequests.removeAll(leftovers);
            } catch (RuntimeException e) {
                LOG.warn("could not remove {} on {}: {}; the next instance's first request removes what is old",
                        leftovers, transport.target(), e.getMessage());
            }
        }
        try {
            decoder.close();
            visionEncoder.close();
        } finally {
            tokenizer.close();
        }
    }
}
