package dev.fastvlm.emulator.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.Quantization;
import dev.fastvlm.genie.qnn.TensorSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Writes a FastVLM-shaped model bundle for the emulator, with the seed's file names: emulated
 * vision encoder and text embedder context binaries with their context-info JSON (real layout),
 * the decoder model binary, {@code LUT.bin} (151936 float32 rows), the real Qwen2 tokenizer and a
 * HuggingFace-style {@code config.json} with the decoder geometry.
 */
public final class EmulatedBundle {
    /** File name of the INT8 vision encoder's context binary. */
    public static final String VISION_ENCODER_INT8 = "fastvlm_vision_encoder_int8_htp.bin";
    /** File name of the FP16 vision encoder's context binary. */
    public static final String VISION_ENCODER_FP16 = "fastvlm_vision_encoder_fp16_htp.bin";
    /** File name of the text embedder's context binary. */
    public static final String TEXT_EMBEDDER = "fastvlm_embed_tokens_fp16_htp.bin";
    /** File name of the decoder's model binary. */
    public static final String DECODER = "fastvlm_model_z8.bin";
    /** File name of the token embedding table. */
    public static final String LUT = "LUT.bin";
    /** File name of the HuggingFace tokenizer. */
    public static final String TOKENIZER = "tokenizer.json";
    /** File name of the tokenizer's config, with the chat template and special tokens. */
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    /** File name of the HuggingFace model config, with the decoder geometry. */
    public static final String CONFIG = "config.json";

    /** FastVLM-0.5B / Qwen2-0.5B geometry (docs/qualcomm-formats.md, section 10). */
    public static final int VOCAB = 151936;
    /** Hidden size of FastVLM-0.5B's decoder. */
    public static final int FASTVLM_WIDTH = 896;
    /** Decoder layers. */
    public static final int LAYERS = 24;
    /** Attention heads. */
    public static final int HEADS = 14;
    /** Key/value heads. */
    public static final int KV_HEADS = 2;
    /** RoPE base. */
    public static final double ROPE_THETA = 1_000_000.0;
    /** Longest sequence Qwen2-0.5B was trained for. */
    public static final int MAX_POSITIONS = 32768;
    /** Token ids the text embedder takes per run (the seed pads input_ids to this length). */
    public static final int EMBEDDER_TOKENS = 512;

    /** Precision of the emulated vision encoder. */
    public enum VisionPrecision {
        /** uint8 HWC pixels in, UFIXED_POINT_8 features out (the seed's INT8 encoder). */
        INT8,
        /** float32 NCHW pixels in [0, 1], FLOAT_16 features out. */
        FP16
    }

    private EmulatedBundle() {
    }

    /**
     * The context-info JSON file written next to a context binary.
     *
     * @param binary a context binary's file name, ending in {@code .bin}
     * @return the same name ending in {@code .json}
     */
    public static String infoFileName(String binary) {
        return binary.replaceFirst("\\.bin$", ".json");
    }

    /**
     * Writes the bundle into {@code out} (created if missing).
     *
     * @param width embedding width: 896 as in FastVLM, or a small width (&gt;= 8) for fast tests
     * @param out the folder to write to
     * @param precision the vision encoder's precision
     * @return {@code out}
     * @throws IOException when a file cannot be written
     * @throws IllegalArgumentException when {@code width} is below {@link EmulatedEncoding#MIN_WIDTH}
     */
    public static Path write(Path out, int width, VisionPrecision precision) throws IOException {
        if (width < EmulatedEncoding.MIN_WIDTH) {
            throw new IllegalArgumentException("embedding width must be >= " + EmulatedEncoding.MIN_WIDTH
                    + ", was " + width);
        }
        Files.createDirectories(out);
        String visionName = precision == VisionPrecision.INT8 ? VISION_ENCODER_INT8 : VISION_ENCODER_FP16;
        EmulatedGraph vision = visionGraph(width, precision);
        vision.write(out.resolve(visionName));
        writeJson(out.resolve(infoFileName(visionName)), vision.contextInfo());
        EmulatedGraph embedder = new EmulatedGraph(EmulatedGraph.Kind.TEXT_EMBEDDER, "fastvlm_embed_tokens",
                List.of(new TensorSpec("input_ids", QnnDataType.INT_32, List.of(1, EMBEDDER_TOKENS), Optional.empty())),
                List.of(new TensorSpec("output_0", QnnDataType.FLOAT_16, List.of(1, EMBEDDER_TOKENS, width),
                        Optional.empty())), width);
        embedder.write(out.resolve(TEXT_EMBEDDER));
        writeJson(out.resolve(infoFileName(TEXT_EMBEDDER)), embedder.contextInfo());
        new EmulatedGraph(EmulatedGraph.Kind.DECODER, "fastvlm_decoder",
                List.of(new TensorSpec("inputs_embeds", QnnDataType.FLOAT_32, List.of(1, EMBEDDER_TOKENS, width),
                        Optional.empty())),
                List.of(new TensorSpec("logits", QnnDataType.FLOAT_32, List.of(1, 1, VOCAB), Optional.empty())),
                width).write(out.resolve(DECODER));
        writeLut(out.resolve(LUT), width);
        QwenTokenizerFiles.write(out.resolve(TOKENIZER), out.resolve(TOKENIZER_CONFIG));
        writeJson(out.resolve(CONFIG), hfConfig(width));
        return out;
    }

    static EmulatedGraph visionGraph(int width, VisionPrecision precision) {
        int size = EmulatedEncoding.IMAGE_SIZE;
        List<Integer> features = List.of(1, EmulatedEncoding.VISION_TOKENS, width);
        if (precision == VisionPrecision.INT8) {
            return new EmulatedGraph(EmulatedGraph.Kind.VISION_ENCODER, "fastvlm_vision_encoder",
                    List.of(new TensorSpec("pixel_values", QnnDataType.UFIXED_POINT_8, List.of(1, size, size, 3),
                            Optional.of(Quantization.perTensor(1f / 255f, 0)))),
                    List.of(new TensorSpec("image_features", QnnDataType.UFIXED_POINT_8, features,
                            Optional.of(Quantization.perTensor(EmulatedEncoding.VISION_SCALE,
                                    EmulatedEncoding.VISION_OFFSET)))), width);
        }
        return new EmulatedGraph(EmulatedGraph.Kind.VISION_ENCODER, "fastvlm_vision_encoder",
                List.of(new TensorSpec("pixel_values", QnnDataType.FLOAT_32, List.of(1, 3, size, size),
                        Optional.empty())),
                List.of(new TensorSpec("image_features", QnnDataType.FLOAT_16, features, Optional.empty())), width);
    }

    private static ObjectNode hfConfig(int width) {
        ObjectNode c = EmulatedGraph.JSON.createObjectNode();
        c.put("_comment", "emulated FastVLM bundle written by the fastvlm device emulator; not a real model");
        c.putArray("architectures").add("Qwen2ForCausalLM");
        c.put("model_type", "qwen2");
        c.put("hidden_size", width);
        c.put("num_hidden_layers", LAYERS);
        c.put("num_attention_heads", HEADS);
        c.put("num_key_value_heads", KV_HEADS);
        c.put("vocab_size", VOCAB);
        c.put("rope_theta", ROPE_THETA);
        c.put("max_position_embeddings", MAX_POSITIONS);
        c.put("bos_token_id", 151643);
        c.put("eos_token_id", 151645);
        c.put("image_size", EmulatedEncoding.IMAGE_SIZE);
        c.put("torch_dtype", "float16");
        return c;
    }

    private static void writeLut(Path file, int width) throws IOException {
        Path temp = ModelFiles.temporary(file.toAbsolutePath().getParent(), ".lut-");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (int t = 0; t < VOCAB; t++) {
                for (int j = 0; j < width; j++) {
                    if (!buffer.hasRemaining()) {
                        buffer.flip();
                        while (buffer.hasRemaining()) {
                            ch.write(buffer);
                        }
                        buffer.clear();
                    }
                    buffer.putFloat(EmulatedEncoding.textValue(t, j));
                }
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static void writeJson(Path file, ObjectNode json) throws IOException {
        Path temp = ModelFiles.temporary(file.toAbsolutePath().getParent(), ".json-");
        EmulatedGraph.JSON.writeValue(temp.toFile(), json);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The Qwen2 tokenizer shipped in this module's resources. */
    static final class QwenTokenizerFiles {
        private QwenTokenizerFiles() {
        }

        static void write(Path tokenizerJson, Path tokenizerConfig) throws IOException {
            copy(new GZIPInputStream(resource("qwen2-tokenizer.json.gz")), tokenizerJson);
            copy(resource("qwen2-tokenizer_config.json"), tokenizerConfig);
        }

        private static InputStream resource(String name) {
            InputStream in = EmulatedBundle.class.getResourceAsStream(name);
            if (in == null) {
                throw new UncheckedIOException(new IOException("missing resource " + name));
            }
            return in;
        }

        private static void copy(InputStream from, Path to) throws IOException {
            Path temp = ModelFiles.temporary(to.toAbsolutePath().getParent(), ".tok-");
            try (from; OutputStream out = Files.newOutputStream(temp)) {
                from.transferTo(out);
            }
            Files.move(temp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }
}
