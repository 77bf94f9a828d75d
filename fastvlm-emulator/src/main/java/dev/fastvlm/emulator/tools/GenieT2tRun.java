package dev.fastvlm.emulator.tools;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.emulator.model.EmulatedEncoding;
import dev.fastvlm.emulator.model.EmulatedGraph;
import dev.fastvlm.emulator.model.SceneDescriber;

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
 * Emulated {@code genie-t2t-run}: the real flags and checks, the streamed {@code [BEGIN]: ... [END]}
 * output and the Genie profile JSON. Instead of a language model it reports what reached it:
 * the prompt's text rows (matched exactly against the embedding table and decoded with the
 * real tokenizer), the image's vision rows (decoded back to patch colours), and where they sat.
 */
final class GenieT2tRun {
    static final String NAME = "genie-t2t-run";
    /** The Genie API version the emulated libGenie.so reports (facts page: Genie API 1.13.0). */
    static final String GENIE_VERSION = "1.13.0";
    private static final Set<String> VALUE_FLAGS = Set.of("-c", "--config", "-p", "--prompt", "--prompt_file",
            "-e", "--embedding_file", "-t", "--embedding_table", "-tok", "--tokens_file",
            "--embedding_query_output_type", "--profile", "--log", "-s", "--save", "-r", "--restore", "--action",
            "--sleep");
    private static final Set<String> SWITCHES = Set.of("-h", "--help", "--pid");
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

    private record Tensor(Path file, String type, float scale, int offset) {
        static Tensor parse(String spec, ToolContext ctx) {
            String[] f = spec.split(",");
            if (f.length == 1) {
                return new Tensor(ctx.path(f[0]), "float32", 1f, 0);
            }
            if (f.length != 4 || !Set.of("int8", "uint8", "int16", "uint16", "float32").contains(f[1])) {
                throw new ToolFailure("Error: embedding argument must be PATH or PATH,TYPE,SCALE,OFFSET with TYPE one of"
                        + " int8|uint8|int16|uint16, got " + spec);
            }
            try {
                return new Tensor(ctx.path(f[0]), f[1], Float.parseFloat(f[2]), Integer.parseInt(f[3]));
            } catch (NumberFormatException e) {
                throw new ToolFailure("Error: bad scale or offset in " + spec);
            }
        }

        int elementBytes() {
            return switch (type) {
                case "int8", "uint8" -> 1;
                case "int16", "uint16" -> 2;
                default -> 4;
            };
        }

        float value(ByteBuffer b, int index) {
            return switch (type) {
                case "int8" -> (b.get(index) + offset) * scale;
                case "uint8" -> ((b.get(index) & 0xff) + offset) * scale;
                case "int16" -> (b.getShort(index * 2) + offset) * scale;
                case "uint16" -> ((b.getShort(index * 2) & 0xffff) + offset) * scale;
                default -> b.getFloat(index * 4);
            };
        }
    }

    int run(String[] args) throws IOException {
        Map<String, String> o = parse(args);
        String configArg = first(o, "-c", "--config");
        if (configArg == null) {
            throw new ToolFailure("Error: a dialog config is required (-c/--config)", 1, true);
        }
        String prompt = first(o, "-p", "--prompt");
        String promptFile = o.get("--prompt_file");
        String embeddingArg = first(o, "-e", "--embedding_file");
        String tableArg = first(o, "-t", "--embedding_table");
        String tokensFile = first(o, "-tok", "--tokens_file");
        if (embeddingArg != null && (prompt != null || promptFile != null || tokensFile != null)) {
            throw new ToolFailure("Error: --embedding_file cannot be combined with a prompt or tokens file", 1, true);
        }
        if (prompt != null && promptFile != null) {
            throw new ToolFailure("Error: --prompt and --prompt_file exclude each other", 1, true);
        }
        if (tableArg != null && embeddingArg == null) {
            throw new ToolFailure("Error: --embedding_table needs --embedding_file", 1, true);
        }
        String outputType = o.getOrDefault("--embedding_query_output_type", "text");
        if (!outputType.equals("text") && !outputType.equals("token")) {
            throw new ToolFailure("Error: --embedding_query_output_type must be text or token, got " + outputType);
        }
        Path profile = o.containsKey("--profile") ? ctx.path(o.get("--profile")) : null;
        if (profile != null && Files.exists(profile)) {
            throw new ToolFailure("Error: profile file " + ctx.shown(profile) + " already exists");
        }
        ctx.requireLd("libGenie.so");
        Path configFile = ctx.path(configArg);
        if (!Files.isRegularFile(configFile)) {
            throw new ToolFailure("Error: failed to open config file " + ctx.shown(configFile));
        }
        DialogConfig config = DialogConfig.read(configFile, ctx);
        if (config.backendType().equals("QnnHtp")) {
            ctx.requireLd("libQnnHtp.so");
            ctx.requireLd("libQnnHtpV" + ctx.htpArch() + "Stub.so");
            ctx.requireLd("libQnnSystem.so");
            ctx.requireAdsp("libQnnHtpV" + ctx.htpArch() + "Skel.so");
        } else {
            ctx.requireLd("libQnnGenAiTransformer.so");
        }
        for (Path model : config.modelFiles()) {
            if (!Files.isRegularFile(model)) {
                throw new ToolFailure("Failed to create dialog: model file " + ctx.shown(model) + " not found");
            }
            EmulatedGraph graph;
            try {
                graph = EmulatedGraph.read(model);
            } catch (IOException e) {
                throw new ToolFailure("Failed to create dialog: " + e.getMessage());
            }
            if (graph.kind() != EmulatedGraph.Kind.DECODER || graph.width() != config.embeddingSize()) {
                throw new ToolFailure("Failed to create dialog: " + ctx.shown(model) + " is a " + graph.kind()
                        + " of width " + graph.width() + ", config says a decoder of n-embd " + config.embeddingSize());
            }
        }
        if (!Files.isRegularFile(config.tokenizer())) {
            throw new ToolFailure("Failed to create dialog: tokenizer " + ctx.shown(config.tokenizer()) + " not found");
        }
        long started = System.nanoTime();
        ctx.sleep(ctx.timing().decoderInitMillis());
        out.println("Using libGenie.so version " + GENIE_VERSION + " (fastvlm emulated)");
        out.println();
        out.flush();
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder().optTokenizerPath(config.tokenizer())
                .optAddSpecialTokens(false).build()) {
            Scene scene;
            if (embeddingArg != null) {
                scene = readEmbeddings(Tensor.parse(embeddingArg, ctx),
                        tableArg == null ? null : Tensor.parse(tableArg, ctx), config, tokenizer);
            } else if (tokensFile != null) {
                Path file = ctx.path(tokensFile);
                if (!Files.isRegularFile(file)) {
                    throw new ToolFailure("Error: failed to open tokens file " + ctx.shown(file));
                }
                List<Long> ids = new ArrayList<>();
                for (String s : Files.readString(file).trim().split("[\\s,]+")) {
                    ids.add(Long.parseLong(s));
                }
                out.println("[PROMPT TOKENS]: " + String.join(" ", ids.stream().map(String::valueOf).toList()));
                scene = new Scene(tokenizer.decode(ids.stream().mapToLong(Long::longValue).toArray(), false), "",
                        List.of(), ids.size(), null);
            } else {
                String text = promptFile != null ? Files.readString(ctx.path(promptFile)) : prompt;
                if (text == null) {
                    throw new ToolFailure("Error: no query: give -p, --prompt_file, -e or -tok", 1, true);
                }
                out.println("[PROMPT]: " + text);
                scene = new Scene(text, "", List.of(), tokenizer.encode(text).getIds().length, null);
            }
            if (scene.promptTokens() > config.contextSize()) {
                throw new ToolFailure("Error: query of " + scene.promptTokens() + " tokens exceeds the context size "
                        + config.contextSize(), 4, false);
            }
            long queryStart = System.nanoTime();
            double promptSeconds = scene.promptTokens() / ctx.timing().promptTokensPerSecond();
            ctx.sleep(Math.round(promptSeconds * 1000));
            int generated = stream(scene, config, tokenizer, outputType.equals("token"),
                    Math.min(config.maxNumTokens(), config.contextSize() - scene.promptTokens()));
            if (profile != null) {
                writeProfile(profile, started, queryStart, scene.promptTokens(), generated);
            }
        }
        return 0;
    }

    /** What reached the decoder. */
    private record Scene(String textBefore, String textAfter, List<EmulatedEncoding.Patch> patches, int promptTokens,
                         TableReader table) {
    }

    private Scene readEmbeddings(Tensor embeddings, Tensor table, DialogConfig config, HuggingFaceTokenizer tokenizer)
            throws IOException {
        if (!Files.isRegularFile(embeddings.file())) {
            throw new ToolFailure("Error: failed to open embedding file " + ctx.shown(embeddings.file()));
        }
        long size = Files.size(embeddings.file());
        out.println("Embedding file size: " + size + " bytes");
        out.flush();
        int width = config.embeddingSize();
        long rowBytes = (long) width * embeddings.elementBytes();
        if (size == 0 || size % rowBytes != 0) {
            throw new ToolFailure("Error: embedding file size " + size + " is not a whole number of " + rowBytes
                    + "-byte rows (n-embd " + width + " x " + embeddings.type() + ")");
        }
        TableReader lut = null;
        if (table != null) {
            if (!Files.isRegularFile(table.file())) {
                throw new ToolFailure("Error: failed to open embedding table " + ctx.shown(table.file()));
            }
            lut = new TableReader(table, width, config.nVocab());
        }
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(embeddings.file())).order(ByteOrder.LITTLE_ENDIAN);
        int rows = (int) (size / rowBytes);
        List<Long> before = new ArrayList<>();
        List<Long> after = new ArrayList<>();
        List<EmulatedEncoding.Patch> patches = new ArrayList<>();
        int visionStart = -1;
        for (int r = 0; r < rows; r++) {
            float[] row = new float[width];
            for (int j = 0; j < width; j++) {
                row[j] = embeddings.value(data, r * width + j);
            }
            int id = EmulatedEncoding.claimedToken(row);
            if (id >= 0 && id < config.nVocab() && matches(row, lut, id, width)) {
                if (visionStart >= 0 && patches.size() < EmulatedEncoding.VISION_TOKENS) {
                    throw new ToolFailure("Error: the image's rows are split: text row " + r + " after only "
                            + patches.size() + " of " + EmulatedEncoding.VISION_TOKENS + " vision rows");
                }
                (visionStart >= 0 ? after : before).add((long) id);
                continue;
            }
            EmulatedEncoding.Patch patch = EmulatedEncoding.decodeVision(row);
            if (patch == null) {
                throw new ToolFailure("Error: embedding row " + r + " is neither a row of the embedding table nor an"
                        + " emulated vision feature (wrong dtype, dequantization or row width upstream?)");
            }
            if (visionStart < 0) {
                visionStart = r;
            } else if (!after.isEmpty()) {
                throw new ToolFailure("Error: a second block of vision rows starts at row " + r);
            }
            if (patch.index() != patches.size()) {
                throw new ToolFailure("Error: vision row " + r + " holds patch " + patch.index() + " where patch "
                        + patches.size() + " belongs (rows reordered upstream?)");
            }
            patches.add(patch);
        }
        if (visionStart >= 0 && patches.size() != EmulatedEncoding.VISION_TOKENS) {
            throw new ToolFailure("Error: " + patches.size() + " vision rows, the vision encoder gives "
                    + EmulatedEncoding.VISION_TOKENS);
        }
        return new Scene(decode(tokenizer, before), decode(tokenizer, after), patches, rows, lut);
    }

    private static String decode(HuggingFaceTokenizer tokenizer, List<Long> ids) {
        return ids.isEmpty() ? "" : tokenizer.decode(ids.stream().mapToLong(Long::longValue).toArray(), false);
    }

    private static boolean matches(float[] row, TableReader lut, int id, int width) throws IOException {
        float[] expected = lut != null ? lut.row(id) : EmulatedEncoding.textRow(id, width);
        for (int j = 0; j < width; j++) {
            if (Float.floatToIntBits(row[j]) != Float.floatToIntBits(expected[j]) && row[j] != expected[j]) {
                return false;
            }
        }
        return true;
    }

    private int stream(Scene scene, DialogConfig config, HuggingFaceTokenizer tokenizer, boolean tokenOutput,
                       int budget) throws IOException {
        String answer = compose(scene);
        long[] ids = tokenizer.encode(answer).getIds();
        int printed = 0;
        String text = "";
        int emitted = 0;
        out.print("[BEGIN]: ");
        for (int i = 0; i < ids.length && emitted < budget; i++) {
            if (scene.table() != null) {
                float[] row = scene.table().row((int) ids[i]);
                if (EmulatedEncoding.claimedToken(row) != ids[i]) {
                    throw new ToolFailure("Error: T2E conversion gave a row that is not token " + ids[i]
                            + "'s (embedding table not the model's?)");
                }
            }
            emitted++;
            ctx.sleep(Math.round(1000 / ctx.timing().tokensPerSecond()));
            text = tokenizer.decode(Arrays.copyOf(ids, i + 1), false);
            int stop = firstStop(text, config.stopSequences());
            if (stop >= 0) {
                if (!tokenOutput && stop > printed) {
                    out.print(text.substring(printed, stop));
                }
                text = text.substring(0, Math.max(printed, stop));
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
        }
        if (!tokenOutput && text.length() > printed) {
            out.print(text.substring(printed));
        }
        out.println("[END]");
        out.flush();
        return emitted;
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
        return a.toString();
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

    private void writeProfile(Path file, long started, long queryStart, int promptTokens, int generated)
            throws IOException {
        var timing = ctx.timing();
        long initUs = timing.decoderInitMillis() * 1000;
        long ttftUs = Math.round(promptTokens / timing.promptTokensPerSecond() * 1e6);
        long genUs = Math.round(generated / timing.tokensPerSecond() * 1e6);
        long t0 = started / 1000;
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        ObjectNode header = root.putObject("header");
        header.putObject("header_version").put("major", 0).put("minor", 1).put("patch", 0);
        header.putObject("version").put("major", 0).put("minor", 1).put("patch", 0);
        header.put("artifact_type", "GENIE_PROFILE");
        root.putObject("metadata").put("timestamp", System.currentTimeMillis() * 1000);
        ObjectNode dialog = root.putArray("components").addObject();
        dialog.put("name", "dialog0 (fastvlm emulated)");
        dialog.put("type", "dialog");
        var events = dialog.putArray("events");
        ObjectNode create = events.addObject();
        create.put("type", "GenieDialog_create").put("duration", initUs).put("start", t0).put("stop", t0 + initUs);
        metric(create, "init-time", initUs, "us");
        long q0 = t0 + initUs;
        ObjectNode query = events.addObject();
        query.put("type", "GenieDialog_query").put("duration", ttftUs + genUs).put("start", q0)
                .put("stop", q0 + ttftUs + genUs);
        metric(query, "num-prompt-tokens", promptTokens, "");
        metric(query, "prompt-processing-rate", timing.promptTokensPerSecond(), "toks/sec");
        metric(query, "time-to-first-token", ttftUs, "us");
        metric(query, "num-generated-tokens", generated, "");
        metric(query, "token-generation-rate", generated == 0 ? 0 : timing.tokensPerSecond(), "toks/sec");
        metric(query, "token-generation-time", genUs, "us");
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, ".profile-", ".tmp");
        json.writeValue(temp.toFile(), root);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
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

    private static String first(Map<String, String> o, String a, String b) {
        return o.containsKey(a) ? o.get(a) : o.get(b);
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> o = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (SWITCHES.contains(a)) {
                if (a.equals("-h") || a.equals("--help")) {
                    throw new ToolFailure("", 0, true);
                }
                continue;
            }
            if (!VALUE_FLAGS.contains(a)) {
                throw ToolFailure.unknownOption(a);
            }
            if (i + 1 >= args.length) {
                throw new ToolFailure("Error: option " + a + " needs a value", 1, true);
            }
            o.put(a, args[++i]);
        }
        return o;
    }

    /** Reads rows of the embedding table as Genie's token-to-embedding callback does. */
    static final class TableReader {
        private final Tensor table;
        private final int width;
        private final long rowBytes;
        private final long rows;

        TableReader(Tensor table, int width, int nVocab) throws IOException {
            this.table = table;
            this.width = width;
            this.rowBytes = (long) width * table.elementBytes();
            long size = Files.size(table.file());
            if (size % rowBytes != 0) {
                throw new ToolFailure("Error: embedding table size " + size + " is not a whole number of " + rowBytes
                        + "-byte rows");
            }
            this.rows = size / rowBytes;
            if (rows < nVocab) {
                throw new ToolFailure("Error: embedding table has " + rows + " rows, n-vocab is " + nVocab);
            }
        }

        float[] row(int token) throws IOException {
            if (token < 0 || token >= rows) {
                throw new ToolFailure("Error: T2E conversion overflow.");
            }
            ByteBuffer b = ByteBuffer.allocate((int) rowBytes).order(ByteOrder.LITTLE_ENDIAN);
            try (FileChannel ch = FileChannel.open(table.file())) {
                ch.read(b, token * rowBytes);
            }
            float[] row = new float[width];
            for (int j = 0; j < width; j++) {
                row[j] = table.value(b, j);
            }
            return row;
        }
    }
}
