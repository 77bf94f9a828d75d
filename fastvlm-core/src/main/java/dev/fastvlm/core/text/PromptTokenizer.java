package dev.fastvlm.core.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.fastvlm.CancelledException;
import dev.fastvlm.ImageLayout;
import dev.fastvlm.InvalidInputException;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.genie.tokenizer.ByteLevelBpe;
import dev.fastvlm.transport.Deadline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * A HuggingFace tokenizer and its chat template, turning a user's prompt into the decoder's text
 * token ids as {@code transformers} does ({@code AutoTokenizer} + {@code apply_chat_template(
 * messages, tokenize=True, add_generation_prompt=True)}). Load it once and reuse it: loading
 * parses the whole vocabulary. Thread-safe; {@link #close()} frees the native tokenizer.
 *
 * <p>Special-token text in the prompt is handled as described in the
  * package documentation ({@code dev.fastvlm.core.text}): HuggingFace's way by default,
 * literally with {@link PromptOptions#literalUserText()}. Literal encoding of a prompt that holds
 * special-token text needs a second native tokenizer (about a second to parse): it is loaded on
 * first need, on a thread of the library's ({@code fastvlm-tokenizer-load-N}, which ends with the
 * load), and the encode waits for it only as long as the caller's {@link Deadline} allows; a load
 * that outlives its first caller is kept for the next.
 */
public final class PromptTokenizer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PromptTokenizer.class);

    /** The image placeholder of LLaVA's conversation format ({@code llava/constants.py}). */
    public static final String IMAGE_PLACEHOLDER = "<image>";

    private final TokenizerFiles files;
    /** The vocabulary and the ids read through it; {@link #loadInBackground} completes it on a loader thread. */
    private final CompletableFuture<Loaded> vocabulary;
    private final Optional<ChatTemplate> template;
    private static final AtomicInteger LOADERS = new AtomicInteger();
    private final Object literalLock = new Object();
    private final Function<Path, LiteralEncoder> literalLoader;
    /** The literal encoder's load: null until first needed; a failed one is dropped so the next need retries. */
    private CompletableFuture<LiteralEncoder> literalLoad;
    private volatile LiteralEncoder literal;
    private boolean closed;
    /** The special tokens' texts when they can be found in raw text; read on first need. */
    private volatile Optional<List<String>> rawSpecialTexts;
    /** The native tokenizer's load when the vocabulary is the plain Java one: null until decoding first needs it. */
    private CompletableFuture<HuggingFaceTokenizer> nativeLoad;

    /** What prompts are encoded with: the native tokenizer, or the plain Java one for Qwen2's shape. */
    private interface Vocabulary {
        /** Ids of {@code text}, no special tokens added; special-token text becomes the special token. */
        int[] encode(String text);

        /** The text of {@code ids}, special tokens kept. */
        String decode(int[] ids);

        /** The native tokenizer, when that is what this vocabulary is. */
        Optional<HuggingFaceTokenizer> nativeTokenizer();

        void close();
    }

    /** HuggingFace's native library through DJL. */
    private record NativeVocabulary(HuggingFaceTokenizer tokenizer) implements Vocabulary {
        @Override
        public int[] encode(String text) {
            return text.isEmpty() ? new int[0] : DjlTokenizers.ids(tokenizer.encode(text, false, false));
        }

        @Override
        public String decode(int[] ids) {
            return tokenizer.decode(DjlTokenizers.longs(ids), false);
        }

        @Override
        public Optional<HuggingFaceTokenizer> nativeTokenizer() {
            return Optional.of(tokenizer);
        }

        @Override
        public void close() {
            tokenizer.close();
        }
    }

    /** {@link ByteLevelBpe}, which nothing needs to free. */
    private record PlainJavaVocabulary(ByteLevelBpe bpe) implements Vocabulary {
        @Override
        public int[] encode(String text) {
            return Arrays.stream(bpe.encode(text)).mapToInt(Math::toIntExact).toArray();
        }

        @Override
        public String decode(int[] ids) {
            return bpe.decode(DjlTokenizers.longs(ids));
        }

        @Override
        public Optional<HuggingFaceTokenizer> nativeTokenizer() {
            return Optional.empty();
        }

        @Override
        public void close() {
            // plain Java objects only
        }
    }

    /** A vocabulary with the special ids of {@code tokenizer_config.json} looked up in it. */
    private record Loaded(Vocabulary vocabulary, OptionalInt eosId, OptionalInt padId) {
    }

    /**
     * Builds the chat template (when the files have one) around a vocabulary that is loaded or loading.
     * When the template cannot be read, the vocabulary is freed as soon as it is there.
     */
    private PromptTokenizer(TokenizerFiles files, Function<Path, LiteralEncoder> literalLoader,
                            CompletableFuture<Loaded> vocabulary) {
        this.files = files;
        this.literalLoader = literalLoader;
        this.vocabulary = vocabulary;
        try {
            this.template = files.chatTemplate().map(source -> new ChatTemplate(source, files.specialTokens()));
        } catch (RuntimeException e) {
            vocabulary.thenAccept(loaded -> loaded.vocabulary().close());
            throw e;
        }
    }

    /**
     * Builds the vocabulary and looks up the special ids (the slow part: the whole vocabulary is
     * parsed, unless the plain Java tokenizer's cache holds its parsed form). With a cache folder,
     * a {@code tokenizer.json} of {@link ByteLevelBpe}'s shape is read in plain Java; any other
     * file, or none given, goes to the native library.
     */
    private static Loaded buildVocabulary(TokenizerFiles files, Optional<Path> plainJavaCache) {
        long start = System.nanoTime();
        Vocabulary vocabulary = plainJava(files, plainJavaCache)
                .<Vocabulary>map(PlainJavaVocabulary::new)
                .orElseGet(() -> new NativeVocabulary(DjlTokenizers.fromFile(files.tokenizerJson())));
        try {
            OptionalInt eos = specialId(files, vocabulary, "eos_token");
            OptionalInt pad = specialId(files, vocabulary, "pad_token");
            LOG.debug("loaded tokenizer {} in {} ms ({})", files.tokenizerJson(), (System.nanoTime() - start) / 1_000_000,
                    vocabulary.nativeTokenizer().isPresent() ? "native" : "plain Java");
            return new Loaded(vocabulary, eos, pad.isPresent() ? pad : eos);
        } catch (RuntimeException e) {
            vocabulary.close();
            throw e;
        }
    }

    private static Optional<ByteLevelBpe> plainJava(TokenizerFiles files, Optional<Path> cache) {
        if (cache.isEmpty()) {
            return Optional.empty();
        }
        try {
            return ByteLevelBpe.load(files.tokenizerJson(), cache.get());
        } catch (IOException e) {
            throw new ModelArtifactException("tokenizer: cannot load " + files.tokenizerJson() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // a runtime without what the plain Java tokenizer uses (Android's regex has no
            // UNICODE_CHARACTER_CLASS): the native library reads the file instead
            LOG.debug("reading {} through the native library: {}", files.tokenizerJson(), e.toString());
            return Optional.empty();
        }
    }

    /**
     * Loads {@code tokenizer.json} from a directory (with its {@code tokenizer_config.json} and
     * {@code chat_template.jinja} when present) or from the file itself (the config is then read
     * from beside it). Everything is local: nothing is downloaded.
     *
     * @param dirOrTokenizerJson a tokenizer directory, or its {@code tokenizer.json}
     * @return the tokenizer, ready to use from any thread
     * @throws ModelArtifactException when a file is missing or cannot be parsed
     * @throws NullPointerException when the path is null
     */
    public static PromptTokenizer load(Path dirOrTokenizerJson) {
        return load(dirOrTokenizerJson, LiteralEncoder::load);
    }

    /** {@link #load(Path)} with the literal encoder built by {@code literalLoader} (tests slow it down). */
    static PromptTokenizer load(Path dirOrTokenizerJson, Function<Path, LiteralEncoder> literalLoader) {
        TokenizerFiles files = TokenizerFiles.locate(Objects.requireNonNull(dirOrTokenizerJson, "dirOrTokenizerJson"));
        return new PromptTokenizer(files, literalLoader,
                CompletableFuture.completedFuture(buildVocabulary(files, Optional.empty())));
    }

    /**
     * Like {@link #load(Path)}, but returns once the files are found and the chat template is read,
     * and parses the vocabulary (about a second for an 11 MB {@code tokenizer.json}) on a thread of
     * the library's ({@code fastvlm-tokenizer-load-N}, which ends with the parse). What needs the
     * vocabulary waits for it as long as the caller's {@link Deadline} allows;
     * {@link #tokensAtMost} and {@link #isLoaded()} do not wait. A one-shot caller can so do other
     * work while it loads.
     *
     * @param dirOrTokenizerJson a tokenizer directory, or its {@code tokenizer.json}
     * @return the tokenizer, its vocabulary still loading
     * @throws ModelArtifactException when a file is missing or the chat template cannot be read
     *                                (a vocabulary that cannot be parsed fails the first call that needs it)
     * @throws NullPointerException when the path is null
     */
    public static PromptTokenizer loadInBackground(Path dirOrTokenizerJson) {
        return loadInBackground(dirOrTokenizerJson, Optional.empty());
    }

    /**
     * Like {@link #loadInBackground(Path)}, but a {@code tokenizer.json} of the shape Qwen2's has
     * (FastVLM's) is read by the plain Java {@link ByteLevelBpe} instead of the native library: its
     * parsed form is kept in {@code cache} (about 3 MB per tokenizer file, by the file's size and
     * checksums) and read back by later loads in about a tenth of a second, where the native library
     * costs every fresh JVM 0.8-1 s of CPU. Encoding gives the same ids (tested against the library
     * and HuggingFace's goldens); decoding, which a one-shot request does not need, still loads the
     * native tokenizer when first asked. A file of another shape goes to the native library.
     *
     * @param dirOrTokenizerJson a tokenizer directory, or its {@code tokenizer.json}
     * @param cache              the folder of parsed forms (created when missing; its files may be deleted at any
     *                           time, and one that cannot be written only costs the next load a parse)
     * @return the tokenizer, its vocabulary still loading
     * @throws ModelArtifactException when a file is missing or the chat template cannot be read
     *                                (a vocabulary that cannot be parsed fails the first call that needs it)
     * @throws NullPointerException when a path is null
     */
    public static PromptTokenizer loadInBackground(Path dirOrTokenizerJson, Path cache) {
        return loadInBackground(dirOrTokenizerJson, Optional.of(Objects.requireNonNull(cache, "cache")));
    }

    private static PromptTokenizer loadInBackground(Path dirOrTokenizerJson, Optional<Path> plainJavaCache) {
        TokenizerFiles files = TokenizerFiles.locate(Objects.requireNonNull(dirOrTokenizerJson, "dirOrTokenizerJson"));
        // The parse starts before the chat template is built (Jinjava's start-up is tens of ms of a one-shot run);
        // the loader renders that template once the vocabulary is there.
        CompletableFuture<Optional<ChatTemplate>> built = new CompletableFuture<>();
        CompletableFuture<Loaded> vocabulary = onLoaderThread(() -> buildVocabulary(files, plainJavaCache),
                () -> warmUpRenderer(files, built));
        try {
            PromptTokenizer loading = new PromptTokenizer(files, LiteralEncoder::load, vocabulary);
            built.complete(loading.template);
            return loading;
        } finally {
            // a template that failed to build leaves nothing to render
            built.complete(Optional.empty());
        }
    }

    /**
     * Runs {@code work} on a thread of its own ({@code fastvlm-tokenizer-load-N}, a daemon that ends
     * with it), completes the returned future with its result or failure, then runs {@code afterwards}
     * on that thread.
     */
    private static <T> CompletableFuture<T> onLoaderThread(Supplier<T> work, Runnable afterwards) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread loader = new Thread(() -> {
            try {
                result.complete(work.get());
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
            afterwards.run();
        }, "fastvlm-tokenizer-load-" + LOADERS.incrementAndGet());
        loader.setDaemon(true);
        loader.start();
        return result;
    }

    /**
     * Renders the chat template once, on the loader thread, when the constructor has built it. A
     * JVM's first render loads and links Jinjava's renderer (about 40 ms, much of it classes the
     * class data archive cannot hold); done here, after a vocabulary that loaded from its cache in a
     * tenth of a second, it overlaps the caller's own work (a one-shot request decoding its image)
     * instead of delaying the first request. A template that fails here fails the real render too,
     * which reports it.
     */
    private static void warmUpRenderer(TokenizerFiles files, CompletableFuture<Optional<ChatTemplate>> built) {
        try {
            built.join().ifPresent(template -> template.render(List.of(new ChatTemplate.Message("user", "warm-up")),
                    true));
        } catch (RuntimeException e) {
            LOG.debug("rendering the chat template of {} ahead failed: {}", files.tokenizerJson(), e.getMessage());
        }
    }

    /**
     * Whether the vocabulary is loaded (or failed to load), so that calls needing it will not wait.
     *
     * @return {@code true} once the background load has ended
     */
    public boolean isLoaded() {
        return vocabulary.isDone();
    }

    /**
     * An upper bound of {@code encode(prompt, options).size()} that needs no vocabulary: the UTF-8
     * bytes of the rendered chat template, plus one. Every token of a byte-level BPE or a
     * SentencePiece vocabulary covers at least one byte of the text it came from (a SentencePiece
     * word prefix adds at most one), and {@code apply_chat_template} adds no special tokens of its
     * own. Without a chat template (the tokenizer's post-processor adds tokens) there is no bound.
     *
     * @param prompt  the user's prompt
     * @param options as for {@link #encode(String, PromptOptions)}
     * @return the bound, or empty when it cannot be told without the vocabulary
     * @throws InvalidInputException when the chat template rejects the conversation
     */
    public OptionalInt tokensAtMost(String prompt, PromptOptions options) {
        Objects.requireNonNull(prompt, "prompt");
        if (!options.chatTemplate() || template.isEmpty()) {
            return OptionalInt.empty();
        }
        List<ChatTemplate.Message> messages = new ArrayList<>(2);
        options.systemPromptOverride().ifPresent(system -> messages.add(new ChatTemplate.Message("system", system)));
        String image = options.layout() == ImageLayout.PLACEHOLDER ? IMAGE_PLACEHOLDER + "\n" : "";
        messages.add(new ChatTemplate.Message("user", image + prompt));
        String rendered = template.get().render(messages, true);
        return OptionalInt.of(rendered.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1);
    }

    /** The vocabulary, waiting for its load under the caller's deadline. */
    private Loaded vocabulary() {
        return vocabulary.isDone() && !vocabulary.isCompletedExceptionally() ? vocabulary.join()
                : await(vocabulary, "loading the tokenizer " + files.tokenizerJson());
    }

    /**
     * The native tokenizer: the vocabulary's own, or (when the vocabulary is the plain Java one)
     * loaded on a loader thread at first need and waited for under the caller's deadline.
     */
    private HuggingFaceTokenizer nativeTokenizer() {
        Optional<HuggingFaceTokenizer> own = vocabulary().vocabulary().nativeTokenizer();
        if (own.isPresent()) {
            return own.get();
        }
        CompletableFuture<HuggingFaceTokenizer> load;
        synchronized (literalLock) {
            if (closed) {
                throw new IllegalStateException("this PromptTokenizer is closed");
            }
            if (nativeLoad == null) {
                nativeLoad = onLoaderThread(() -> DjlTokenizers.fromFile(files.tokenizerJson()), () -> { });
            }
            load = nativeLoad;
        }
        return await(load, "loading the tokenizer " + files.tokenizerJson());
    }

    /** Waits for {@code load} as long as the current deadline allows. */
    private <T> T await(CompletableFuture<T> load, String what) {
        try {
            return load.get(Deadline.remainingNanos(Long.MAX_VALUE), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw Deadline.timeout(what, Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException("cancelled while " + what, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r
                    : new ModelArtifactException(what + " failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Whether {@code tokenizer_config.json} (or {@code chat_template.jinja}) carries a chat template.
     *
     * @return {@code true} when prompts are rendered through the chat template
     */
    public boolean hasChatTemplate() {
        return template.isPresent();
    }

    /**
     * The padding id: {@code pad_token} of {@code tokenizer_config.json}, else its {@code eos_token}
     * (151643 {@code <|endoftext|>} for Qwen2).
     *
     * @return the padding id
     * @throws ModelArtifactException when the config names neither
     */
    public int padId() {
        OptionalInt padId = vocabulary().padId();
        if (padId.isEmpty()) {
            throw new ModelArtifactException("tokenizer: " + files.tokenizerJson()
                    + ": no pad_token or eos_token in " + TokenizerFiles.TOKENIZER_CONFIG);
        }
        return padId.getAsInt();
    }

    /**
     * The end-of-sequence id ({@code eos_token} of the config; 151645 {@code <|im_end|>} for Qwen2-Instruct).
     *
     * @return the id, or empty when the config names no {@code eos_token}
     */
    public OptionalInt eosId() {
        return vocabulary().eosId();
    }

    /**
     * The id of a token given by its exact text, when that text is a single token.
     *
     * @param tokenText the token's text, for example {@code <|im_end|>}
     * @return the id, or empty when the text is not exactly one token
     */
    public OptionalInt tokenId(String tokenText) {
        return tokenId(vocabulary().vocabulary(), tokenText);
    }

    private static OptionalInt tokenId(Vocabulary vocabulary, String tokenText) {
        int[] ids = vocabulary.encode(tokenText);
        return ids.length == 1 && vocabulary.decode(ids).equals(tokenText) ? OptionalInt.of(ids[0]) : OptionalInt.empty();
    }

    /**
     * {@link #encode(String, PromptOptions)} with {@link PromptOptions#defaults()}.
     *
     * @param prompt the user's prompt
     * @return the token ids and where the image goes
     * @throws InvalidInputException when the chat template rejects the conversation
     */
    public EncodedPrompt encode(String prompt) {
        return encode(prompt, PromptOptions.defaults());
    }

    /**
     * Turns a user prompt into text token ids.
     *
     * <p>With a chat template, the conversation is the optional system turn and the user turn,
     * rendered with {@code add_generation_prompt}; then tokenized without added special tokens
     * (as {@code apply_chat_template} does). Without one, the prompt is tokenized with the
     * tokenizer's added special tokens (the seed flow's fallback).
     *
     * <p>{@link ImageLayout#PLACEHOLDER}: the user turn is {@code "<image>\n" + prompt}; the text
     * before and after that {@code <image>} is tokenized separately and
     * {@link EncodedPrompt#imageIndex()} is the count of tokens before it (LLaVA's
     * {@code tokenizer_image_token}). Only the placeholder this method inserts counts:
     * {@code <image>} typed in the prompt stays text.
     *
     * @param prompt the user's prompt
     * @param options layout, system prompt, chat template and literal-text choices
     * @return the token ids and where the image goes
     * @throws InvalidInputException when the chat template rejects the conversation
     * @throws NullPointerException when an argument is null
     */
    public EncodedPrompt encode(String prompt, PromptOptions options) {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(options, "options");
        boolean placeholder = options.layout() == ImageLayout.PLACEHOLDER;
        if (!options.chatTemplate() || template.isEmpty()) {
            return encodeWithoutTemplate(prompt, options, placeholder);
        }
        Markers markers = Markers.freshFor(prompt, options.systemPrompt());
        boolean literalUser = options.literalUserText();
        String content = (placeholder ? markers.image + "\n" : "")
                + (literalUser ? markers.userStart + prompt + markers.userEnd : prompt);
        List<ChatTemplate.Message> messages = new ArrayList<>(2);
        options.systemPromptOverride().ifPresent(system -> messages.add(new ChatTemplate.Message("system", system)));
        messages.add(new ChatTemplate.Message("user", content));
        String rendered = template.get().render(messages, true);

        Rendered text = Rendered.of(rendered, markers, placeholder, literalUser);
        if (!placeholder) {
            return new EncodedPrompt(encodeSpan(text.text, text.userStart, text.userEnd, literalUser),
                    OptionalInt.empty(), padId());
        }
        String before = text.text.substring(0, text.imageAt);
        String after = text.text.substring(text.imageAt);
        int[] head = encodeSpan(before, clamp(text.userStart, before.length()), clamp(text.userEnd, before.length()),
                literalUser);
        int[] tail = encodeSpan(after, Math.max(0, text.userStart - text.imageAt),
                Math.max(0, text.userEnd - text.imageAt), literalUser);
        return new EncodedPrompt(concat(head, tail), OptionalInt.of(head.length), padId());
    }

    /**
     * Turns a conversation into text token ids: the optional system turn, the earlier questions
     * and answers, and the new question, rendered by the chat template with
     * {@code add_generation_prompt} exactly as {@code apply_chat_template(messages)} renders the
     * same messages, then tokenized without added special tokens. The image belongs to the first
     * question: {@link ImageLayout#PLACEHOLDER} puts {@code "<image>\n"} before it and splits there.
     * With {@link PromptOptions#literalUserText()}, every question and every answer is literal
     * text (an answer is the model's output, which a user may have steered).
     *
     * @param history the earlier exchanges, oldest first; empty for the first question
     * @param question the new question
     * @param options layout, system prompt and literal-text choices; a chat template is required
     * @return the ids, where the image goes, and how many ids the history before the question takes
     * @throws InvalidInputException when the tokenizer has no chat template, or the template rejects
     *     the conversation
     * @throws NullPointerException when an argument is null
     */
    public ConversationPrompt encodeConversation(List<ChatTurn> history, String question, PromptOptions options) {
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(options, "options");
        if (template.isEmpty() || !options.chatTemplate()) {
            throw new InvalidInputException("a conversation needs the tokenizer's chat template, and "
                    + files.tokenizerJson() + " has " + (template.isEmpty() ? "none" : "it switched off"));
        }
        boolean placeholder = options.layout() == ImageLayout.PLACEHOLDER;
        List<String> contents = new ArrayList<>();
        for (ChatTurn turn : history) {
            contents.add(turn.user());
            contents.add(turn.assistant());
        }
        contents.add(question);
        String nonce = freshNonce(contents, options.systemPrompt());
        List<ChatTemplate.Message> messages = new ArrayList<>();
        options.systemPromptOverride().ifPresent(system -> messages.add(new ChatTemplate.Message("system", system)));
        String image = "\uE000img" + nonce + "\uE001";
        for (int i = 0; i < contents.size(); i++) {
            String content = spanStart(nonce, i) + contents.get(i) + spanEnd(nonce, i);
            messages.add(new ChatTemplate.Message(i % 2 == 0 ? "user" : "assistant",
                    i == 0 && placeholder ? image + "\n" + content : content));
        }
        StringBuilder text = new StringBuilder(template.get().render(messages, true));
        int imageAt = placeholder ? Rendered.take(text, image) : -1;
        List<int[]> spans = new ArrayList<>();
        for (int i = 0; i < contents.size(); i++) {
            int start = Rendered.take(text, spanStart(nonce, i));
            int end = Rendered.take(text, spanEnd(nonce, i));
            if (end < start || (!spans.isEmpty() && start < spans.get(spans.size() - 1)[1])
                    || (placeholder && start < imageAt)) {
                throw new InvalidInputException("chat template must render the messages in order, the image first");
            }
            spans.add(new int[] {start, end});
        }
        String rendered = text.toString();
        boolean literal = options.literalUserText();
        int historyEnd = history.isEmpty() ? 0 : spans.get(spans.size() - 2)[1];
        if (!placeholder) {
            int[] ids = encodeSpans(rendered, spans, literal);
            int historyTokens = history.isEmpty() ? 0 : encodeSpans(rendered.substring(0, historyEnd), spans, literal).length;
            return new ConversationPrompt(new EncodedPrompt(ids, OptionalInt.empty(), padId()), historyTokens);
        }
        int[] head = encodeSpans(rendered.substring(0, imageAt), List.of(), literal);
        String after = rendered.substring(imageAt);
        List<int[]> shifted = spans.stream().map(span -> new int[] {span[0] - imageAt, span[1] - imageAt}).toList();
        int[] tail = encodeSpans(after, shifted, literal);
        int historyTokens = history.isEmpty() ? 0
                : head.length + encodeSpans(after.substring(0, historyEnd - imageAt), shifted, literal).length;
        return new ConversationPrompt(new EncodedPrompt(concat(head, tail), OptionalInt.of(head.length), padId()),
                historyTokens);
    }

    private static String spanStart(String nonce, int index) {
        return "\uE000s" + nonce + "-" + index + "\uE001";
    }

    private static String spanEnd(String nonce, int index) {
        return "\uE000e" + nonce + "-" + index + "\uE001";
    }

    /** A random id that no message and no system prompt holds, so that markers built from it are unique. */
    private static String freshNonce(List<String> contents, String systemPrompt) {
        while (true) {
            String nonce = UUID.randomUUID().toString();
            if (contents.stream().noneMatch(c -> c.contains(nonce))
                    && (systemPrompt == null || !systemPrompt.contains(nonce))) {
                return nonce;
            }
        }
    }

    /** Ids of {@code text}; special-token text inside the spans stays literal when asked (and only then). */
    private int[] encodeSpans(String text, List<int[]> spans, boolean literal) {
        if (!literal) {
            return encodeText(text);
        }
        List<int[]> clipped = new ArrayList<>();
        boolean special = false;
        for (int[] span : spans) {
            int start = Math.max(0, Math.min(span[0], text.length()));
            int end = Math.max(0, Math.min(span[1], text.length()));
            if (end > start) {
                clipped.add(new int[] {start, end});
                special |= specialTextOverlaps(text, start, end);
            }
        }
        return special ? literal().encode(text, clipped) : encodeText(text);
    }

    private EncodedPrompt encodeWithoutTemplate(String prompt, PromptOptions options, boolean placeholder) {
        if (!placeholder) {
            int[] ids = options.literalUserText() ? literal().encodeAll(prompt) : encodeWithSpecial(prompt);
            return new EncodedPrompt(ids, OptionalInt.empty(), padId());
        }
        // "<image>\n" + prompt, split at the placeholder: the added special tokens (a BOS, for
        // tokenizers that have one) belong to the head, as in LLaVA's tokenizer_image_token.
        int[] head = encodeWithSpecial("");
        String after = "\n" + prompt;
        int[] tail = options.literalUserText() ? literal().encode(after, 0, after.length()) : encodeText(after);
        return new EncodedPrompt(concat(head, tail), OptionalInt.of(head.length), padId());
    }

    /**
     * The literal encoding differs from the plain one only where special-token text overlaps the
     * user's span, so the literal encoder (a second native tokenizer: seconds to build) is made
     * only for prompts that hold such text.
     */
    private int[] encodeSpan(String text, int userStart, int userEnd, boolean literalUser) {
        return literalUser && specialTextOverlaps(text, userStart, userEnd)
                ? literal().encode(text, userStart, userEnd) : encodeText(text);
    }

    /** Whether special-token text in {@code text} overlaps {@code [from, to)} (true when that cannot be told from the text). */
    private boolean specialTextOverlaps(String text, int from, int to) {
        Optional<List<String>> specials = rawSpecialTexts();
        if (specials.isEmpty()) {
            return true;
        }
        for (String special : specials.get()) {
            for (int at = text.indexOf(special, Math.max(0, from - special.length() + 1)); at >= 0 && at < to;
                 at = text.indexOf(special, at + 1)) {
                if (at + special.length() > from) {
                    return true;
                }
            }
        }
        return false;
    }

    private Optional<List<String>> rawSpecialTexts() {
        Optional<List<String>> texts = rawSpecialTexts;
        if (texts == null) {
            texts = LiteralEncoder.rawSpecialTexts(files.tokenizerJson());
            rawSpecialTexts = texts;
        }
        return texts;
    }

    /** Whether the literal encoder was built (for tests: it is only needed for special-token text). */
    boolean literalEncoderBuilt() {
        return literal != null;
    }

    /**
     * Token ids of {@code text} without added special tokens; special-token text becomes the special token.
     *
     * @param text any text
     * @return the ids, empty for empty text
     */
    public int[] encodeText(String text) {
        return text.isEmpty() ? new int[0] : vocabulary().vocabulary().encode(text);
    }

    /** With the post-processor's special tokens (a BOS, for tokenizers that have one): the native library's. */
    private int[] encodeWithSpecial(String text) {
        return DjlTokenizers.ids(nativeTokenizer().encode(text, true, false));
    }

    /**
     * The text of {@code ids}; special tokens such as {@code <|im_end|>} are dropped when asked.
     *
     * @param ids token ids
     * @param skipSpecialTokens {@code true} to drop special tokens from the text
     * @return the decoded text
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        return nativeTokenizer().decode(DjlTokenizers.longs(ids), skipSpecialTokens);
    }

    /**
     * A decoder for one generated stream (see {@link IncrementalDecoder}).
     *
     * @param skipSpecialTokens {@code true} to drop special tokens from the text
     * @return a new decoder, for one thread
     */
    public IncrementalDecoder incrementalDecoder(boolean skipSpecialTokens) {
        return new IncrementalDecoder(ids -> ids.length == 0 ? "" : decode(ids, skipSpecialTokens));
    }

    /**
     * Loads now what {@link PromptOptions#literalUserText() literal} encoding needs (a second
     * native tokenizer, about a second for an 11 MB {@code tokenizer.json}), which is otherwise
     * loaded when a literal encode first meets special-token text: a service that wants no request
     * to wait for it calls this once at start. Waits as long as the current {@link Deadline} allows
     * (without one, until the load ends).
     *
     * @return this tokenizer
     * @throws ModelArtifactException when {@code tokenizer.json} cannot be read or parsed
     * @throws dev.fastvlm.FastVlmTimeoutException when the current deadline passes first (the load goes on)
     * @throws CancelledException when the waiting thread is interrupted (the load goes on)
     */
    public PromptTokenizer loadLiteralEncoder() {
        literal();
        return this;
    }

    /** The literal encoder, started on a loader thread at first need and waited for under the caller's deadline. */
    private LiteralEncoder literal() {
        LiteralEncoder encoder = literal;
        if (encoder != null) {
            return encoder;
        }
        CompletableFuture<LiteralEncoder> load = startLiteralLoad();
        try {
            return await(load, "loading the literal prompt tokenizer");
        } catch (ModelArtifactException e) {
            synchronized (literalLock) {
                if (literalLoad == load) {
                    literalLoad = null;
                }
            }
            throw e;
        }
    }

    private CompletableFuture<LiteralEncoder> startLiteralLoad() {
        synchronized (literalLock) {
            if (closed) {
                throw new IllegalStateException("this PromptTokenizer is closed");
            }
            if (literalLoad == null) {
                literalLoad = onLoaderThread(() -> {
                    LiteralEncoder built = literalLoader.apply(files.tokenizerJson());
                    synchronized (literalLock) {
                        if (closed) {
                            // close() came first: nobody will use it, so free it here.
                            built.close();
                        } else {
                            literal = built;
                        }
                    }
                    return built;
                }, () -> { });
            }
            return literalLoad;
        }
    }

    private static OptionalInt specialId(TokenizerFiles files, Vocabulary vocabulary, String key) {
        String text = files.specialTokens().get(key);
        if (text == null) {
            return OptionalInt.empty();
        }
        OptionalInt id = tokenId(vocabulary, text);
        if (id.isEmpty()) {
            throw new ModelArtifactException("tokenizer: " + key + " \"" + text + "\" of "
                    + TokenizerFiles.TOKENIZER_CONFIG + " is not a single token of " + files.tokenizerJson());
        }
        return id;
    }

    @Override
    public void close() {
        synchronized (literalLock) {
            if (closed) {
                return;
            }
            closed = true;
            if (literal != null) {
                literal.close();
            }
            // now if loaded, else by its loader thread as soon as it is
            vocabulary.thenAccept(loaded -> loaded.vocabulary().close());
            if (nativeLoad != null) {
                nativeLoad.thenAccept(HuggingFaceTokenizer::close);
            }
        }
    }

    private static int clamp(int value, int max) {
        return Math.min(value, max);
    }

    private static int[] concat(int[] a, int[] b) {
        return IntStream.concat(IntStream.of(a), IntStream.of(b)).toArray();
    }

    /**
     * Strings that mark the image placeholder and the user's text while the template renders;
     * private-use characters plus a random id, so neither a prompt nor a template can hold them.
     */
    private static final class Markers {
        final String image;
        final String userStart;
        final String userEnd;

        private Markers(String nonce) {
            image = "\uE000img" + nonce + "\uE001";
            userStart = "\uE000usr" + nonce + "\uE001";
            userEnd = "\uE000end" + nonce + "\uE001";
        }

        static Markers freshFor(String prompt, String systemPrompt) {
            while (true) {
                Markers markers = new Markers(UUID.randomUUID().toString());
                if (!markers.occursIn(prompt) && (systemPrompt == null || !markers.occursIn(systemPrompt))) {
                    return markers;
                }
            }
        }

        private boolean occursIn(String text) {
            return text.contains(image) || text.contains(userStart) || text.contains(userEnd);
        }
    }

    /** The rendered text with the markers taken out, and where they were. */
    private static final class Rendered {
        final String text;
        final int imageAt;
        final int userStart;
        final int userEnd;

        private Rendered(String text, int imageAt, int userStart, int userEnd) {
            this.text = text;
            this.imageAt = imageAt;
            this.userStart = userStart;
            this.userEnd = userEnd;
        }

        static Rendered of(String rendered, Markers markers, boolean placeholder, boolean literalUser) {
            StringBuilder text = new StringBuilder(rendered);
            int imageAt = placeholder ? take(text, markers.image) : -1;
            int userStart = literalUser ? take(text, markers.userStart) : 0;
            int userEnd = literalUser ? take(text, markers.userEnd) : 0;
            if (placeholder && literalUser && imageAt > userStart) {
                throw new InvalidInputException("chat template moved the image placeholder after the user's text");
            }
            return new Rendered(text.toString(), imageAt, userStart, userEnd);
        }

        /** Removes the one occurrence of {@code marker} and returns where it was. */
        private static int take(StringBuilder text, String marker) {
            int at = text.indexOf(marker);
            if (at < 0 || text.indexOf(marker, at + 1) >= 0) {
                throw new InvalidInputException("chat template must render the user's message exactly once");
            }
            text.delete(at, at + marker.length());
            return at;
        }
    }
}
