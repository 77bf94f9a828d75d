package dev.fastvlm.core.bundle;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.fastvlm.ModelArtifact;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.genie.config.DecoderGeometry;
import dev.fastvlm.genie.qnn.ContextBinaryInfo;
import dev.fastvlm.genie.qnn.Quantization;
import dev.fastvlm.genie.qnn.TensorSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Checks a bundle against its {@link BundleManifest} and its files against each other, and
 * reports every problem at once: each listed file present, inside the bundle, of the listed size
 * and SHA-256; {@code config.json}'s geometry the manifest's; {@code LUT.bin} vocabulary x hidden
 * x 4 bytes; every token id of {@code tokenizer.json} inside the vocabulary; the vision encoder's
 * context info {@code [1, tokens, hidden]} out and, for a uint8 input, raw pixel bytes in; the
 * text embedder's rows {@code hidden} wide.
 */
public final class BundleVerifier {
    /** HuggingFace's model config, beside the tokenizer. */
    public static final String MODEL_CONFIG = "config.json";

    private final Function<Path, String> digests;

    private BundleVerifier(Function<Path, String> digests) {
        this.digests = digests;
    }

    /**
     * A verifier that hashes every file in full.
     *
     * @return the verifier
     */
    public static BundleVerifier hashing() {
        return new BundleVerifier(file -> {
            try {
                return BundleManifest.sha256(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * A verifier that takes each file's SHA-256 from {@code digests} (e.g. a cache of digests
     * already computed for the same file, size and time).
     *
     * @param digests the SHA-256 of a file, lower-case hex; may throw {@link UncheckedIOException}
     * @return the verifier
     */
    public static BundleVerifier withDigests(Function<Path, String> digests) {
        return new BundleVerifier(digests);
    }

    /**
     * Checks {@code bundle}, reading its manifest.
     *
     * @param bundle the bundle folder
     * @return every problem found, each naming its file; empty when the bundle is sound
     */
    public List<String> problems(Path bundle) {
        BundleManifest manifest;
        try {
            manifest = BundleManifest.read(bundle);
        } catch (ModelArtifactException e) {
            return List.of(e.getMessage());
        }
        return problems(bundle, manifest);
    }

    /**
     * Checks {@code bundle} and throws when anything is wrong.
     *
     * @param bundle the bundle folder
     * @return the manifest, when every check passed
     * @throws ModelArtifactException listing every problem
     */
    public BundleManifest verify(Path bundle) {
        List<String> problems = problems(bundle);
        if (!problems.isEmpty()) {
            throw new ModelArtifactException("bundle " + bundle + " fails verification:\n  - "
                    + String.join("\n  - ", problems));
        }
        return BundleManifest.read(bundle);
    }

    private List<String> problems(Path bundle, BundleManifest manifest) {
        List<String> problems = new ArrayList<>();
        Map<String, Path> sound = new HashMap<>();
        for (BundleManifest.FileEntry entry : manifest.files()) {
            checkFile(bundle, entry, problems).ifPresent(file -> sound.put(entry.path(), file));
        }
        for (Map.Entry<ModelArtifact, String> a : manifest.artifacts().entrySet()) {
            if (manifest.files().stream().noneMatch(f -> f.path().equals(a.getValue()))) {
                problems.add(a.getValue() + " (" + a.getKey() + ") is not among the manifest's files");
            }
        }
        BundleManifest.Geometry g = manifest.geometry();
        Path config = sound.get(MODEL_CONFIG);
        if (config == null && manifest.files().stream().noneMatch(f -> f.path().equals(MODEL_CONFIG))) {
            problems.add(MODEL_CONFIG + " is not among the manifest's files");
        } else if (config != null) {
            checkConfig(config, g, problems);
        }
        file(manifest, sound, ModelArtifact.EMBEDDING_TABLE).ifPresent(lut -> checkLut(lut, g, problems));
        file(manifest, sound, ModelArtifact.TOKENIZER).ifPresent(tok -> checkTokenizer(tok, g, problems));
        file(manifest, sound, ModelArtifact.VISION_ENCODER_INFO).ifPresent(info -> {
            checkPixelInput(info, problems);
            TensorSpec out = graphOutput(info, problems);
            if (out != null && (out.dimensions().size() != 3 || out.innermost() != g.hiddenSize())) {
                problems.add(info.getFileName() + ": the vision encoder's output " + out.name() + " is "
                        + out.dimensions() + ", expected [1, tokens, " + g.hiddenSize() + "] (hidden_size)");
            }
        });
        file(manifest, sound, ModelArtifact.TEXT_EMBEDDER).ifPresent(embedder -> {
            Path info = embedder.resolveSibling(embedder.getFileName().toString().replaceFirst("\\.bin$", "") + ".json");
            if (!sound.containsValue(info)) {
                problems.add(bundle.relativize(info) + ": the text embedder's context info is not among the"
                        + " manifest's files");
                return;
            }
            TensorSpec out = graphOutput(info, problems);
            if (out != null && out.innermost() != g.hiddenSize()) {
                problems.add(info.getFileName() + ": the text embedder's rows are " + out.innermost()
                        + " wide, hidden_size is " + g.hiddenSize());
            }
        });
        return problems;
    }

    private Optional<Path> checkFile(Path bundle, BundleManifest.FileEntry entry, List<String> problems) {
        Path named;
        try {
            named = Path.of(entry.path());
        } catch (InvalidPathException e) {
            problems.add(entry.path() + ": not a file name");
            return Optional.empty();
        }
        if (entry.path().isEmpty() || named.isAbsolute() || !named.normalize().equals(named) || named.startsWith("..")) {
            problems.add(entry.path() + ": must be a relative path inside the bundle");
            return Optional.empty();
        }
        Path file = bundle.resolve(named);
        try {
            if (!Files.isRegularFile(file)) {
                problems.add(entry.path() + ": missing");
                return Optional.empty();
            }
            if (!file.toRealPath().startsWith(bundle.toRealPath())) {
                problems.add(entry.path() + ": leads outside the bundle, to " + file.toRealPath());
                return Optional.empty();
            }
            long size = Files.size(file);
            if (size != entry.size()) {
                problems.add(entry.path() + ": " + size + " bytes, the manifest says " + entry.size()
                        + (size < entry.size() ? " (truncated?)" : ""));
                return Optional.empty();
            }
            String sha = digests.apply(file);
            if (!sha.equals(entry.sha256())) {
                problems.add(entry.path() + ": changed: SHA-256 " + sha + ", the manifest says " + entry.sha256());
                return Optional.empty();
            }
            return Optional.of(file);
        } catch (IOException | UncheckedIOException e) {
            problems.add(entry.path() + ": cannot be read: " + e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<Path> file(BundleManifest manifest, Map<String, Path> sound, ModelArtifact role) {
        return Optional.ofNullable(manifest.artifacts().get(role)).map(sound::get);
    }

    private static void checkConfig(Path config, BundleManifest.Geometry g, List<String> problems) {
        DecoderGeometry d;
        try {
            d = DecoderGeometry.fromHuggingFaceConfig(config);
        } catch (RuntimeException e) {
            problems.add(e.getMessage());
            return;
        }
        compare(problems, "hidden_size", d.nEmbd(), g.hiddenSize());
        compare(problems, "num_hidden_layers", d.nLayer(), g.layers());
        compare(problems, "num_attention_heads", d.nHeads(), g.heads());
        compare(problems, "num_key_value_heads", d.nKvHeads(), g.kvHeads());
        compare(problems, "vocab_size", d.nVocab(), g.vocabSize());
    }

    private static void compare(List<String> problems, String key, int config, int manifest) {
        if (config != manifest) {
            problems.add(MODEL_CONFIG + ": " + key + " is " + config + ", the manifest says " + manifest);
        }
    }

    private static void checkLut(Path lut, BundleManifest.Geometry g, List<String> problems) {
        long expected = (long) g.vocabSize() * g.hiddenSize() * Float.BYTES;
        try {
            long size = Files.size(lut);
            if (size != expected) {
                problems.add(lut.getFileName() + ": " + size + " bytes, but vocab_size x hidden_size x 4 = "
                        + g.vocabSize() + " x " + g.hiddenSize() + " x 4 = " + expected);
            }
        } catch (IOException e) {
            problems.add(lut.getFileName() + ": cannot be read: " + e.getMessage());
        }
    }

    /** Every id in {@code model.vocab} and {@code added_tokens} must be a row of the table. */
    private static void checkTokenizer(Path tokenizer, BundleManifest.Geometry g, List<String> problems) {
        long highest = -1;
        long tokens = 0;
        try (JsonParser p = new JsonFactory().createParser(tokenizer.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                problems.add(tokenizer.getFileName() + ": not a JSON object");
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("model")) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String inner = p.currentName();
                        p.nextToken();
                        if (inner.equals("vocab") && p.currentToken() == JsonToken.START_OBJECT) {
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                p.nextToken();
                                highest = Math.max(highest, p.getValueAsLong(-1));
                                tokens++;
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                } else if (field.equals("added_tokens") && p.currentToken() == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String inner = p.currentName();
                            p.nextToken();
                            if (inner.equals("id")) {
                                highest = Math.max(highest, p.getValueAsLong(-1));
                                tokens++;
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            problems.add(tokenizer.getFileName() + ": not a readable tokenizer JSON: " + e.getMessage());
            return;
        }
        if (tokens == 0) {
            problems.add(tokenizer.getFileName() + ": has no model.vocab");
        } else if (highest >= g.vocabSize()) {
            problems.add(tokenizer.getFileName() + ": token id " + highest + " is outside the vocabulary of "
                    + g.vocabSize() + " rows (vocab_size)");
        }
    }

    /**
     * A uint8 pixel input must read raw pixel bytes as they are: scale 1/255 (within 1 %, as a
     * min-max calibration on [0, 1] data gives) and offset 0, since the host sends the bytes
     * unscaled; anything else would shift every colour the encoder sees.
     */
    private static void checkPixelInput(Path info, List<String> problems) {
        TensorSpec in;
        try {
            in = ContextBinaryInfo.read(info).singleGraph().onlyInput();
        } catch (RuntimeException e) {
            return; // graphOutput reports the same file's problem
        }
        if (in.dataType().quantized() && in.quantization().orElse(null) instanceof Quantization.PerTensor p
                && (Math.abs(p.scale() * 255f - 1f) > 0.01f || p.offset() != 0)) {
            problems.add(info.getFileName() + ": the vision encoder's input " + in.name() + " is quantized with scale "
                    + p.scale() + " and offset " + p.offset() + ", but the host sends raw pixel bytes: it needs"
                    + " scale 1/255 and offset 0 (pin the input's encoding to [0, 1] when converting)");
        }
    }

    private static TensorSpec graphOutput(Path info, List<String> problems) {
        try {
            return ContextBinaryInfo.read(info).singleGraph().onlyOutput();
        } catch (RuntimeException e) {
            problems.add(info.getFileName() + ": " + e.getMessage());
            return null;
        }
    }
}
