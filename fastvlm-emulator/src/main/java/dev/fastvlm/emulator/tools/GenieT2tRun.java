package dev.fastvlm.emulator.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.emulator.model.EmulatedEncoding;
import dev.fastvlm.emulator.model.EmulatedGraph;
import dev.fastvlm.emulator.model.SceneDescriber;
import dev.fastvlm.genie.config.BackendType;
import dev.fastvlm.genie.config.GenieConfig;
import dev.fastvlm.genie.profile.ProfileEvent;
import dev.fastvlm.genie.qnn.TensorSpec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Emulated {@code genie-t2t-run}, behaving as the real tool does (docs/qualcomm-formats.md, section
 * "genie-t2t-run"): its flags and their checks in argument order, a missing or unreadable file
 * reported on stdout ({@code File X doesn't exists or is in bad shape.}), argument errors on stderr,
 * the 4-field {@code -e}/{@code -t} spec whose TYPE is only int8, uint8, int16 or uint16, the
 * embedding file's bytes passed to the engine unchanged, the lookup table requantized as the tool's
 * token-to-embedding callbacks do, the streamed {@code [BEGIN]: ... [END]} answer, exit code 1 for
 * any failed query, and the Genie profile with its create, query and free events.
 *
 * <p>Instead of a language model it reports what reached it: the prompt's text rows (matched
 * against the embedding table and decoded with the real tokenizer), the image's vision rows
 * (decoded back to patch colours), and where they sat; for a conversation also how many earlier
 * user and assistant turns its chat-templated prompt held, whether a system turn was there, and the
 * last question.
 */
final class GenieT2tRun {
    static final String NAME = "genie-t2t-run";
    /** The Genie API version the emulated libGenie.so reports (facts: Genie API 1.13.0). */
    static final String GENIE_VERSION = "1.13.0";
    private static final Set<String> VALUE_FLAGS = Set.of("-c", "--config", "-p", "--prompt", "--prompt_file",
            "-e", "--embedding_file", "-t", "--embedding_table", "-tok", "--tokens_file",
            "--embedding_query_output_type", "--profile", "--log", "-s", "--save", "-r", "--restore", "--action",
            "--sleep", "-l", "--lora", "-w", "--rewind", "--priority", "--key", "--engine_role",
            "--allow_engine_switch");
    /** The TYPE values of the 4-field {@code -e}/{@code -t} spec ({@code parseE2TArguments}). */
    private static final Set<String> SPEC_TYPES = Set.of("int8", "uint8", "int16", "uint16");
    /** The LUT-to-input requantizations the tool has callbacks for (lut type -> input types). */
    private static final Map<String, Set<String>> T2E = Map.of("float32", Set.of("float32"),
            "int8", Set.of("int8", "int16"), "uint8", Set.of("uint8", "uint16"),
            "int16", Set.of("int8", "int16"), "uint16", Set.of("uint8", "uint16"));
    static final String USAGE = """
            Usage: genie-t2t-run (fastvlm emulated) -c CONFIG [-p PROMPT | --prompt_file FILE | -e FILE[,TYPE,SCALE,OFFSET]
                   [-t TABLE[,TYPE,SCALE,OFFSET]] | -tok FILE] [--embedding_query_output_type text|token]
                   [--profile FILE] [--log error|warn|info|verbose] [-s FILE] [-r FILE] [--action ABORT|PAUSE --sleep MS]""";

    private final ToolContext ctx;
    private final PrintStream out;

    GenieT2tRun(ToolContext ctx, PrintStream out) {
        this.ctx = ctx;
        this.out = out;
    }

    /** An {@code -e}/{@code -t} argument: a file and the encodings of its elements. */
    private record Spec(Path file, String type, double scale, int offset) {
        static Spec parse(String arg, ToolContext ctx) {
            List<String> f = new ArrayList<>();
            for (String word : arg.split(",")) {
                if (!word.isEmpty()) {
                    f.add(word);
                }
            }
            if (f.size() == 1) {
                return new Spec(ctx.path(f.get(0)), "float32", 1.0, 0);
            }
            if (f.size() != 4) {
                throw new ToolFailure("ERROR: Invalid embedding argument: " + arg);
            }
            if (!SPEC_TYPES.contains(f.get(1))) {
                throw new ToolFailure("ERROR: invalid datatype: " + f.get(1));
            }
            try {
                return new Spec(ctx.path(f.get(0)), f.get(1), Double.parseDouble(f.get(2)), Integer.parseInt(f.get(3)));
            } catch (NumberFormatException e) {
                throw new ToolFailure("ERROR: Invalid quantization encodings: {" + f.get(2) + ", " + f.get(3) + "}");
            }
        }
    }

    /** The command line, checked in the order the real tool checks it. */
    private static final class Options {
        String config;
        String prompt;
        Spec embeddings;
        Spec table;
        Path tokensFile;
        String outputType = "text";
        Path profile;
        boolean promptSet;
        boolean promptFileSet;
    }

    int run(String[] args) throws IOException {
        ctx.requireLd("libGenie.so");
        if (args.length == 0) {
            throw new ToolFailure("", 0, true);
        }
        Options o = parse(args);
        out.println("Using libGenie.so version " + GENIE_VERSION + " (fastvlm emulated)");
        out.println();
        out.flush();
        long started = System.nanoTime();
        DialogConfig config = DialogConfig.read(ctx.path(o.config), ctx);
        createDialog(config);
        ctx.sleep(ctx.timing().decoderInitMillis());
        try (ToolTokenizer tokenizer = ToolTokenizer.open(config.tokenizer(), ctx.cache())) {
            String failure;
            Scene scene;
            if (o.embeddings != null) {
                failure = "Failed to query with embedding.";
                long size = Files.size(o.embeddings.file());
                out.println("Embedding file size: " + size + " bytes");
                out.println();
                out.flush();
                Engine engine = new Engine(config, decoderInput(config));
                if (o.table != null && !T2E.get(o.table.type()).contains(o.embeddings.type())) {
                    throw new ToolFailure("Unsupported LUT requantization: " + o.table.type() + " -> "
                            + o.embeddings.type());
                }
                TableReader table = o.table == null ? null : new TableReader(o.table, o.embeddings, engine);
                scene = query(failure, () -> readEmbeddings(o.embeddings.file(), size, engine, table, config,
                        tokenizer));
            } else if (o.tokensFile != null) {
                failure = "Failed to query with tokens.";
                List<Long> ids = new ArrayList<>();
                for (String s : Files.readString(o.tokensFile).trim().split("\\s+")) {
                    if (!s.isEmpty()) {
                        ids.add(Long.parseLong(s));
                    }
                }
                out.println("[PROMPT TOKENS]: " + String.join(" ", ids.stream().map(String::valueOf).toList()) + " ");
                scene = new Scene(tokenizer.decode(ids.stream().mapToLong(Long::longValue).toArray()), "",
                        List.of(), ids.size(), null);
            } else {
                failure = "Failed to query.";
                out.println("[PROMPT]: " + o.prompt);
                out.println();
                scene = new Scene(o.prompt, "", List.of(), tokenizer.encode(o.prompt).length, null);
            }
            if (scene.promptTokens() > config.contextSize()) {
                throw queryFailure(failure, "[WARN]  \"Context limit exceeded (0 + " + scene.promptTokens() + " > "
                        + config.contextSize() + ")\"");
            }
            long queryStart = System.nanoTime();
            ctx.sleep(Math.round(scene.promptTokens() / ctx.timing().promptTokensPerSecond() * 1000));
            int generated;
            try {
                generated = stream(scene, config, tokenizer, o.outputType.equals("token"), failure,
                        o.embeddings != null && o.table == null);
            } catch (EngineError e) {
                out.println();
                throw queryFailure(failure, "[ERROR] \"" + e.getMessage() + "\"");
            }
            out.println();
            out.flush();
            if (o.profile != null) {
                writeProfile(o.profile, started, queryStart, scene.promptTokens(), generated);
            }
        }
        return 0;
    }

    private Options parse(String[] args) throws IOException {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                throw new ToolFailure("", 0, true);
            }
            if (a.equals("--pid") || a.equals("--add_example_sampler")) {
                continue;
            }
            if (!VALUE_FLAGS.contains(a)) {
                throw ToolFailure.unknownOption(a);
            }
            if (i + 1 >= args.length) {
                throw new ToolFailure("ERROR: Invalid parameter for argument: " + a, 1, true);
            }
            String v = args[++i];
            switch (a) {
                case "-c", "--config" -> {
                    readable(ctx.shownArgument(v), ctx.path(v));
                    o.config = v;
                }
                case "-p", "--prompt" -> {
                    o.prompt = v;
                    o.promptSet = true;
                }
                case "--prompt_file" -> {
                    readable(ctx.shownArgument(v), ctx.path(v));
                    o.prompt = Files.readString(ctx.path(v));
                    o.promptFileSet = true;
                }
                case "-e", "--embedding_file" -> {
                    o.embeddings = Spec.parse(v, ctx);
                    readable(ctx.shownArgument(fileArgument(v)), o.embeddings.file());
                }
                case "-t", "--embedding_table" -> {
                    o.table = Spec.parse(v, ctx);
                    readable(ctx.shownArgument(fileArgument(v)), o.table.file());
                }
                case "-tok", "--tokens_file" -> {
                    // the real tool records a tokens file under --prompt_file
                    o.tokensFile = ctx.path(v);
                    o.promptFileSet = true;
                }
                case "--embedding_query_output_type" -> {
                    if (!v.equals("text") && !v.equals("token")) {
                        throw new ToolFailure("ERROR: Invalid --embedding_query_output_type argument. Argument " + v
                                + " is not one of token, text.");
                    }
                    o.outputType = v;
                }
                case "--profile" -> {
                    if (Files.exists(ctx.path(v))) {
                        throw new ToolFailure("ERROR: Invalid --profile argument. Output file "
                                + ctx.shownArgument(v) + " already exists.");
                    }
                    o.profile = ctx.path(v);
                }
                case "--log" -> {
                    if (!Set.of("error", "warn", "info", "verbose").contains(v)) {
                        throw new ToolFailure("ERROR: Invalid --log argument. Argument " + v
                                + " is not one of error, warn, info, or verbose.");
                    }
                }
                default -> {
                    // accepted and not emulated: save/restore, actions, LoRA, priority, engine switching
                }
            }
        }
        if (o.embeddings != null) {
            if (o.promptSet || o.promptFileSet) {
                throw new ToolFailure("ERROR:: Please do not provide a text/token prompt and embedding prompt at the"
                        + " same time.");
            }
        } else if (o.table != null) {
            throw new ToolFailure("ERROR:: Please provide an embedding file using --embedding_file.");
        } else if (!o.promptSet && !o.promptFileSet) {
            throw new ToolFailure("ERROR:: Please provide prompt using --prompt or --prompt_file.");
        } else if (o.promptSet && o.promptFileSet) {
            throw new ToolFailure("ERROR:: Please provide only one of --prompt or --prompt_file.");
        }
        if (o.config == null) {
            // the real tool goes on with an empty config, which Genie rejects
            throw new ToolFailure("[ERROR] \"Dialog config is not an object\"\n", "Failed to create the dialog config.",
                    1, false);
        }
        return o;
    }

    /** The file part of an {@code -e}/{@code -t} argument, as given. */
    private static String fileArgument(String arg) {
        int comma = arg.indexOf(',');
        return comma < 0 ? arg : arg.substring(0, comma);
    }

    /** The real tool's check of each file argument, printed on stdout. */
    private static void readable(String shown, Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ToolFailure(" ".repeat(19) + "File " + shown + " doesn't exists or is in bad shape.\n", "", 1,
                    false);
        }
    }

    /** What {@code GenieDialog_create} checks before the dialog can answer. */
    private void createDialog(DialogConfig config) {
        if (!config.dialogType().equals(GenieConfig.TYPE_BASIC)) {
            throw dialogFailure("dialog type " + config.dialogType() + " is not emulated (basic only)");
        }
        if (config.backendType() == BackendType.QNN_HTP) {
            ctx.requireLd("libQnnHtp.so");
            ctx.requireLd("libQnnHtpV" + ctx.htpArch() + "Stub.so");
            ctx.requireLd("libQnnSystem.so");
            ctx.requireAdsp("libQnnHtpV" + ctx.htpArch() + "Skel.so");
        } else if (config.backendType() == BackendType.QNN_GEN_AI_TRANSFORMER) {
            ctx.requireLd("libQnnGenAiTransformer.so");
        } else {
            throw dialogFailure("backend " + config.backendType().jsonName() + " is not emulated");
        }
        if (config.modelFiles().isEmpty()) {
            throw dialogFailure("the engine names no model file");
        }
        for (Path model : config.modelFiles()) {
            if (!Files.isRegularFile(model)) {
                throw dialogFailure("model file " + ctx.shown(model) + " not found");
            }
            EmulatedGraph graph;
            try {
                graph = EmulatedGraph.read(model);
            } catch (IOException e) {
                throw dialogFailure(e.getMessage());
            }
            if (graph.kind() != EmulatedGraph.Kind.DECODER || graph.width() != config.embeddingSize()) {
                throw dialogFailure(ctx.shown(model) + " is a " + graph.kind() + " of width " + graph.width()
                        + ", config says a decoder of n-embd " + config.embeddingSize());
            }
        }
        if (!Files.isRegularFile(config.tokenizer())) {
            throw dialogFailure("tokenizer " + ctx.shown(config.tokenizer()) + " not found");
        }
    }

    /** The decoder's embedding input, which a {@code native} embedding follows. */
    private TensorSpec decoderInput(DialogConfig config) throws IOException {
        return EmulatedGraph.read(config.modelFiles().get(0)).inputs().get(0);
    }

    private static ToolFailure dialogFailure(String reason) {
        return new ToolFailure("[ERROR] \"" + reason + "\"\n", "Failed to create the dialog.", 1, false);
    }

    /** A failed query: Genie's log line on stdout, the tool's message on stderr, exit code 1. */
    /**
     * A failed query as Genie 1.13.0's {@code main.cpp} reports it (docs/qualcomm-formats.md, section 3):
     * Genie's log line with the reason on stdout, then {@code main}'s {@code catch (std::exception&)}
     * prints the thrown {@code Failed to query...} with {@code std::cerr} and returns {@code EXIT_FAILURE}.
     */
    private static ToolFailure queryFailure(String message, String logLine) {
        return new ToolFailure(logLine + "\n", message, 1, false);
    }

    @FunctionalInterface
    private interface Query {
        Scene run() throws IOException;
    }

    /** Runs the query's reading; the emulated engine's complaints fail the query as Genie's do. */
    private static Scene query(String failure, Query query) throws IOException {
        try {
            return query.run();
        } catch (EngineError e) {
            throw queryFailure(failure, "[ERROR] \"" + e.getMessage() + "\"");
        }
    }

    /** A problem the emulated engine finds in what it was given. */
    private static final class EngineError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EngineError(String message) {
            super(message);
        }
    }

    /** What reached the decoder. */
    private record Scene(String textBefore, String textAfter, List<EmulatedEncoding.Patch> patches, int promptTokens,
                         TableReader table) {
    }

    /**
     * The engine's embedding input: one token's embedding is {@code width} elements of the config's
     * datatype (float32, the decoder's own input type for {@code native}, or fixed point with the
     * config's quant-param); the bytes Genie receives are taken as they are.
     */
    private record Engine(int width, String datatype, int elementBytes, double scale, int offset) {
        Engine(DialogConfig config, TensorSpec decoderInput) {
            this(config.embeddingSize(), datatype(config, decoderInput), bytes(datatype(config, decoderInput)),
                    config.quantParam() == null ? 1.0 : config.quantParam().scale(),
                    config.quantParam() == null ? 0 : config.quantParam().offset());
        }

        private static String datatype(DialogConfig config, TensorSpec decoderInput) {
            if (!config.embeddingDatatype().equals("native")) {
                return config.embeddingDatatype();
            }
            return switch (decoderInput.dataType()) {
                case UFIXED_POINT_8 -> "ufixed8";
                case SFIXED_POINT_8 -> "sfixed8";
                case UFIXED_POINT_16 -> "ufixed16";
                case SFIXED_POINT_16 -> "sfixed16";
                default -> "float32";
            };
        }

        private static int bytes(String datatype) {
            return switch (datatype) {
                case "ufixed8", "sfixed8" -> 1;
                case "ufixed16", "sfixed16" -> 2;
                default -> 4;
            };
        }

        int rowBytes() {
            return width * elementBytes;
        }

        /** The real values of one row's bytes: {@code (q + offset) * scale} for fixed point. */
        float[] decode(ByteBuffer b, int at) {
            float[] row = new float[width];
            for (int j = 0; j < width; j++) {
                int p = at + j * elementBytes;
                row[j] = switch (datatype) {
                    case "ufixed8" -> (float) (((b.get(p) & 0xff) + offset) * scale);
                    case "sfixed8" -> (float) ((b.get(p) + offset) * scale);
                    case "ufixed16" -> (float) (((b.getShort(p) & 0xffff) + offset) * scale);
                    case "sfixed16" -> (float) ((b.getShort(p) + offset) * scale);
                    default -> b.getFloat(p);
                };
            }
            return row;
        }

        /** The bytes the engine would hold for these real values. */
        byte[] encode(float[] row) {
            ByteBuffer b = ByteBuffer.allocate(rowBytes()).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : row) {
                long q = Math.round(v / scale) - offset;
                switch (datatype) {
                    case "ufixed8", "sfixed8" -> b.put((byte) q);
                    case "ufixed16", "sfixed16" -> b.putShort((short) q);
                    default -> b.putFloat(v);
                }
            }
            return b.array();
        }
    }

    private Scene readEmbeddings(Path file, long size, Engine engine, TableReader table, DialogConfig config,
                                 ToolTokenizer tokenizer) throws IOException {
        long rowBytes = engine.rowBytes();
        if (size == 0 || size % rowBytes != 0) {
            throw new EngineError("The embeddings buffer size must be an integer multiple of the embedding vector"
                    + " size in bytes. (" + size + " bytes, " + rowBytes + " per token: n-embd " + engine.width()
                    + " x " + engine.datatype() + ")");
        }
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int rows = (int) (size / rowBytes);
        List<Long> before = new ArrayList<>();
        List<Long> after = new ArrayList<>();
        List<EmulatedEncoding.Patch> patches = new ArrayList<>();
        int visionStart = -1;
        for (int r = 0; r < rows; r++) {
            int at = (int) (r * rowBytes);
            float[] row = engine.decode(data, at);
            int id = EmulatedEncoding.claimedToken(row);
            byte[] bytes = Arrays.copyOfRange(data.array(), at, (int) (at + rowBytes));
            if (id >= 0 && id < config.nVocab() && Arrays.equals(bytes, table != null ? table.row(id)
                    : engine.encode(EmulatedEncoding.textRow(id, engine.width())))) {
                if (visionStart >= 0 && patches.size() < EmulatedEncoding.VISION_TOKENS) {
                    throw new EngineError("the image's rows are split: text row " + r + " after only "
                            + patches.size() + " of " + EmulatedEncoding.VISION_TOKENS + " vision rows");
                }
                (visionStart >= 0 ? after : before).add((long) id);
                continue;
            }
            EmulatedEncoding.Patch patch = EmulatedEncoding.decodeVision(row);
            if (patch == null) {
                throw new EngineError("embedding row " + r + " is neither a row of the embedding table nor an"
                        + " emulated vision feature (wrong dtype, dequantization or row width upstream?)");
            }
            if (visionStart < 0) {
                visionStart = r;
            } else if (!after.isEmpty()) {
                throw new EngineError("a second block of vision rows starts at row " + r);
            }
            if (patch.index() != patches.size()) {
                throw new EngineError("vision row " + r + " holds patch " + patch.index() + " where patch "
                        + patches.size() + " belongs (rows reordered upstream?)");
            }
            patches.add(patch);
        }
        if (visionStart >= 0 && patches.size() != EmulatedEncoding.VISION_TOKENS) {
            throw new EngineError(patches.size() + " vision rows, the vision encoder gives "
                    + EmulatedEncoding.VISION_TOKENS);
        }
        return new Scene(decode(tokenizer, before), decode(tokenizer, after), patches, rows, table);
    }

    private static String decode(ToolTokenizer tokenizer, List<Long> ids) {
        return ids.isEmpty() ? "" : tokenizer.decode(ids.stream().mapToLong(Long::longValue).toArray());
    }

    /**
     * Streams the answer as Genie's query callback prints it. Generation stops at the end of the
     * answer (the model's end-of-sequence token), at {@code max-num-tokens} (then {@code [END]} as
     * Genie's limit does), or fails when the next token would not fit the context (Genie's
     * "Context Size was exceeded": no {@code [END]}, exit code 1). An embedding query without a
     * table ends after its first token: Genie has no token-to-embedding callback to go on with.
     */
    private int stream(Scene scene, DialogConfig config, ToolTokenizer tokenizer, boolean tokenOutput,
                       String failure, boolean firstTokenOnly) throws IOException {
        String answer = compose(scene);
        long[] ids = tokenizer.encode(answer);
        int printed = 0;
        String text = "";
        int emitted = 0;
        out.print("[BEGIN]: ");
        for (int i = 0; i < ids.length; i++) {
            // producing token k (k >= 2) first runs token k-1 through the engine, which needs room
            if (i >= 1 && scene.promptTokens() + i > config.contextSize()) {
                return contextExceeded(scene.promptTokens() + i - 1, config, failure);
            }
            if (scene.table() != null) {
                float[] row = scene.table().decoded((int) ids[i]);
                if (EmulatedEncoding.claimedToken(row) != ids[i]) {
                    throw queryFailure(failure, "[ERROR] \"T2E conversion gave a row that is not token " + ids[i]
                            + "'s (embedding table not the model's?)\"");
                }
            }
            emitted++;
            ctx.sleep(Math.round(1000 / ctx.timing().tokensPerSecond()));
            text = tokenizer.decode(Arrays.copyOf(ids, i + 1));
            int stop = firstStop(text, config.stopSequences());
            if (stop >= 0) {
                if (!tokenOutput && stop > printed) {
                    out.print(text.substring(printed, stop));
                }
                printed = Math.max(printed, stop);
                text = text.substring(0, printed);
                break;
            }
            if (tokenOutput) {
                out.print(ids[i] + " ");
            } else {
                // hold back a partial character and any tail that may grow into a stop sequence
                int safe = text.endsWith("\uFFFD") ? text.length() - 1 : text.length();
                safe -= pendingStop(text.substring(0, safe), config.stopSequences());
                if (safe > printed) {
                    out.print(text.substring(printed, safe));
                    printed = safe;
                }
            }
            out.flush();
            if (emitted >= config.maxNumTokens() || firstTokenOnly) {
                break;
            }
            if (i == ids.length - 1 && scene.promptTokens() + ids.length > config.contextSize()) {
                // the end-of-sequence token comes from running the last answer token
                if (!tokenOutput && text.length() > printed) {
                    out.print(text.substring(printed));
                }
                return contextExceeded(scene.promptTokens() + ids.length, config, failure);
            }
        }
        if (!tokenOutput && text.length() > printed) {
            out.print(text.substring(printed));
        }
        out.println("[END]");
        out.flush();
        return emitted;
    }

    private int contextExceeded(int nPast, DialogConfig config, String failure) {
        out.flush();
        throw queryFailure(failure, "\n[WARN]  \"Context limit exceeded (" + nPast + " + 1 > " + config.contextSize()
                + ")\"");
    }

    /** Index of the earliest stop sequence in the text, or -1. */
    private static int firstStop(String text, List<String> stops) {
        int first = -1;
        for (String s : stops) {
            int at = s.isEmpty() ? -1 : text.indexOf(s);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        return first;
    }

    /** Length of the longest tail of the text that starts some stop sequence. */
    private static int pendingStop(String text, List<String> stops) {
        int longest = 0;
        for (String s : stops) {
            for (int n = Math.min(s.length() - 1, text.length()); n > longest; n--) {
                if (text.endsWith(s.substring(0, n))) {
                    longest = n;
                    break;
                }
            }
        }
        return longest;
    }

    /** The deterministic answer: what the decoder recovered, labelled as emulated. */
    static String compose(Scene scene) {
        String text = scene.textBefore() + scene.textAfter();
        String question = question(text);
        StringBuilder a = new StringBuilder("Emulated FastVLM answer: ");
        if (scene.patches().isEmpty()) {
            a.append("no image reached me.");
        } else {
            a.append("the image is ").append(SceneDescriber.describe(scene.patches())).append('.');
            a.append(scene.textBefore().isEmpty() ? " The image came before the text."
                    : " The image came inside the text, after \"" + tail(scene.textBefore()) + "\".");
        }
        if (!question.isEmpty()) {
            a.append(" You asked: \"").append(question).append("\"");
        }
        int users = count(text, "<|im_start|>user\n");
        int assistants = count(text, "<|im_start|>assistant\n");
        if (users > 1 || assistants > 1) {
            // A conversation: what its history held, so a test can see that all of it arrived.
            a.append(" Earlier turns: ").append(users - 1).append(" user and ").append(Math.max(assistants - 1, 0))
                    .append(" assistant; system prompt: ").append(text.contains("<|im_start|>system\n") ? "yes" : "no")
                    .append('.');
        }
        return a.toString();
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            n++;
        }
        return n;
    }

    private static String tail(String text) {
        String t = text.replace("\n", "\\n");
        return t.length() <= 24 ? t : t.substring(t.length() - 24);
    }

    /** The user's turn of a Qwen chat-templated prompt, or the whole text if it has none. */
    static String question(String text) {
        String user = "<|im_start|>user\n";
        int start = text.lastIndexOf(user);
        String q = start >= 0 ? text.substring(start + user.length()) : text;
        int end = q.indexOf("<|im_end|>");
        if (end >= 0) {
            q = q.substring(0, end);
        }
        return q.replace("<image>", "").strip();
    }

    /** The profile genie-t2t-run writes: the dialog's create, query and free events, as Genie's profiler does. */
    private void writeProfile(Path file, long started, long queryStart, int promptTokens, int generated)
            throws IOException {
        var timing = ctx.timing();
        long initUs = timing.decoderInitMillis() * 1000;
        long ttftUs = Math.round(promptTokens / timing.promptTokensPerSecond() * 1e6);
        long genUs = Math.round(generated / timing.tokensPerSecond() * 1e6);
        long freeUs = 30_000;
        long t0 = started / 1000;
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        ObjectNode header = root.putObject("header");
        header.putObject("header_version").put("major", 0).put("minor", 1).put("patch", 0);
        header.putObject("version").put("major", 0).put("minor", 1).put("patch", 0);
        header.put("artifact_type", "GENIE_PROFILE");
        root.putObject("metadata").put("timestamp", t0);
        ObjectNode dialog = root.putArray("components").addObject();
        dialog.put("name", "dialog0");
        dialog.put("type", "dialog");
        ArrayNode events = dialog.putArray("events");
        long q0 = t0 + initUs;
        long q1 = q0 + ttftUs + genUs;
        ObjectNode create = event(events, ProfileEvent.GENIE_TYPES.get(0), t0, initUs);
        metric(create, "init-time", initUs, "us");
        ObjectNode query = event(events, ProfileEvent.GENIE_TYPES.get(1), q0, ttftUs + genUs);
        metric(query, "num-prompt-tokens", promptTokens, "");
        metric(query, "prompt-processing-rate", timing.promptTokensPerSecond(), "toks/sec");
        metric(query, "time-to-first-token", ttftUs, "us");
        metric(query, "num-generated-tokens", generated, "");
        metric(query, "token-generation-rate", generated == 0 ? 0 : timing.tokensPerSecond(), "toks/sec");
        metric(query, "token-generation-time", genUs, "us");
        event(events, ProfileEvent.GENIE_TYPES.get(2), q1, freeUs);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, ".profile-", ".tmp");
        json.writeValue(temp.toFile(), root);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    private static ObjectNode event(ArrayNode events, String type, long start, long duration) {
        return events.addObject().put("type", type).put("duration", duration).put("start", start)
                .put("stop", start + duration);
    }

    private static void metric(ObjectNode event, String name, double value, String unit) {
        ObjectNode m = event.putObject(name);
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            m.put("value", (long) value);
        } else {
            m.put("value", value);
        }
        m.put("unit", unit);
    }

    /**
     * Genie's token-to-embedding callbacks over the {@code -t} table: a float32 table gives the
     * engine's row bytes as they are at {@code token * rowBytes}; a fixed-point table is requantized
     * to the {@code -e} type, {@code out = (T) (rs * lut + ro)} with {@code rs = lutScale / inputScale}
     * and {@code ro = rs * lutOffset - inputOffset}.
     */
    static final class TableReader {
        private final Spec table;
        private final Spec input;
        private final Engine engine;
        private final long size;

        private TableReader(Spec table, Spec input, Engine engine) throws IOException {
            this.table = table;
            this.input = input;
            this.engine = engine;
            this.size = Files.size(table.file());
        }

        /** The row bytes the engine receives for {@code token}. */
        byte[] row(int token) throws IOException {
            int rowBytes = engine.rowBytes();
            if (table.type().equals("float32")) {
                return read((long) token * rowBytes, rowBytes);
            }
            int inBytes = bytes(input.type());
            int lutBytes = bytes(table.type());
            int elements = rowBytes / inBytes;
            ByteBuffer src = ByteBuffer.wrap(read((long) token * elements * lutBytes, elements * lutBytes))
                    .order(ByteOrder.LITTLE_ENDIAN);
            double rs = table.scale() / input.scale();
            double ro = rs * table.offset() - input.offset();
            ByteBuffer out = ByteBuffer.allocate(rowBytes).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < elements; i++) {
                double v = switch (table.type()) {
                    case "int8" -> src.get(i);
                    case "uint8" -> src.get(i) & 0xff;
                    case "int16" -> src.getShort(i * 2);
                    default -> src.getShort(i * 2) & 0xffff;
                };
                long q = (long) (rs * v + ro);
                if (inBytes == 1) {
                    out.put((byte) q);
                } else {
                    out.putShort((short) q);
                }
            }
            return out.array();
        }

        /** The real values the engine reads from {@code token}'s row. */
        float[] decoded(int token) throws IOException {
            return engine.decode(ByteBuffer.wrap(row(token)).order(ByteOrder.LITTLE_ENDIAN), 0);
        }

        private static int bytes(String type) {
            return type.endsWith("8") ? 1 : 2;
        }

        private byte[] read(long at, int length) throws IOException {
            if (at < 0 || at + length > size) {
                throw new EngineError("Error: T2E conversion overflow.");
            }
            ByteBuffer b = ByteBuffer.allocate(length);
            try (FileChannel ch = FileChannel.open(table.file())) {
                while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {
                    // read until full
                }
            }
            return b.array();
        }
    }
}
