package dev.fastvlm.emulator.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.TensorSpec;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * Writes what a user starts {@code fastvlm bundle} from, for the emulated model: a HuggingFace
 * checkpoint folder ({@code model.safetensors} with a BF16 {@code model.embed_tokens.weight} whose
 * rows are {@link EmulatedEncoding#textRow}, exact in BF16; {@code config.json}; the real Qwen2
 * tokenizer files) and emulated ONNX exports of the vision encoder and the text embedder, which the
 * emulated SDK's host tools turn into the context binaries the emulated device runs.
 */
public final class EmulatedCheckpoint {
    /** The vision encoder's emulated ONNX export, written beside the checkpoint. */
    public static final String VISION_EXPORT = "fastvlm_vision_encoder.onnx";
    /** The text embedder's emulated ONNX export, written beside the checkpoint. */
    public static final String EMBEDDER_EXPORT = "fastvlm_embed_tokens.onnx";

    private EmulatedCheckpoint() {
    }

    /**
     * Writes the checkpoint and the two exports into {@code out}.
     *
     * @param out   the folder (created when missing)
     * @param width the decoder's hidden size (896 as in FastVLM-0.5B, or a small width for fast runs)
     * @return {@code out}
     * @throws IOException when a file cannot be written
     * @throws IllegalArgumentException when {@code width} is below {@link EmulatedEncoding#MIN_WIDTH}
     */
    public static Path write(Path out, int width) throws IOException {
        if (width < EmulatedEncoding.MIN_WIDTH) {
            throw new IllegalArgumentException("embedding width must be >= " + EmulatedEncoding.MIN_WIDTH
                    + ", was " + width);
        }
        Files.createDirectories(out);
        writeSafetensors(out.resolve("model.safetensors"), width);
        EmulatedBundle.writeJson(out.resolve(EmulatedBundle.CONFIG), config(width));
        EmulatedBundle.QwenTokenizerFiles.write(out.resolve(EmulatedBundle.TOKENIZER),
                out.resolve(EmulatedBundle.TOKENIZER_CONFIG));
        int size = EmulatedEncoding.IMAGE_SIZE;
        EmulatedGraph.write(out.resolve(VISION_EXPORT), List.of(new EmulatedGraph(EmulatedGraph.Kind.VISION_ENCODER,
                "fastvlm_vision_encoder",
                List.of(new TensorSpec("pixel_values", QnnDataType.FLOAT_32, List.of(1, 3, size, size), Optional.empty())),
                List.of(new TensorSpec("image_features", QnnDataType.FLOAT_32,
                        List.of(1, EmulatedEncoding.VISION_TOKENS, width), Optional.empty())), width)),
                EmulatedGraph.Stage.ONNX_EXPORT);
        int tokens = EmulatedBundle.EMBEDDER_TOKENS;
        EmulatedGraph.write(out.resolve(EMBEDDER_EXPORT), List.of(new EmulatedGraph(EmulatedGraph.Kind.TEXT_EMBEDDER,
                "fastvlm_embed_tokens",
                List.of(new TensorSpec("input_ids", QnnDataType.INT_32, List.of(1, tokens), Optional.empty())),
                List.of(new TensorSpec("inputs_embeds", QnnDataType.FLOAT_32, List.of(1, tokens, width),
                        Optional.empty())), width)), EmulatedGraph.Stage.ONNX_EXPORT);
        return out;
    }

    private static ObjectNode config(int width) {
        ObjectNode c = EmulatedGraph.JSON.createObjectNode();
        c.put("_comment", "emulated FastVLM checkpoint written by the fastvlm device emulator; not a real model");
        c.putArray("architectures").add("LlavaQwen2ForCausalLM");
        c.put("model_type", "llava_qwen2");
        c.put("hidden_size", width);
        c.put("num_hidden_layers", EmulatedBundle.LAYERS);
        c.put("num_attention_heads", EmulatedBundle.HEADS);
        c.put("num_key_value_heads", EmulatedBundle.KV_HEADS);
        c.put("vocab_size", EmulatedBundle.VOCAB);
        c.put("rope_theta", EmulatedBundle.ROPE_THETA);
        c.put("max_position_embeddings", EmulatedBundle.MAX_POSITIONS);
        c.put("bos_token_id", 151643);
        c.put("eos_token_id", 151645);
        c.put("mm_vision_tower", "mobileclip_l_" + EmulatedEncoding.IMAGE_SIZE);
        c.put("torch_dtype", "bfloat16");
        return c;
    }

    /** The safetensors layout: u64 header length, JSON header padded with spaces to 8, then the tensors. */
    private static void writeSafetensors(Path file, int width) throws IOException {
        long tableBytes = (long) EmulatedBundle.VOCAB * width * 2;
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"model.embed_tokens.weight\":{\"dtype\":\"BF16\",\"shape\":[" + EmulatedBundle.VOCAB + "," + width
                + "],\"data_offsets\":[0," + tableBytes + "]},"
                + "\"model.norm.weight\":{\"dtype\":\"BF16\",\"shape\":[" + width + "],\"data_offsets\":[" + tableBytes
                + "," + (tableBytes + 2L * width) + "]}}";
        byte[] head = (header + " ".repeat((8 - header.length() % 8) % 8)).getBytes(StandardCharsets.US_ASCII);
        Path temp = ModelFiles.temporary(file.toAbsolutePath().getParent(), ".safetensors-");
        try (OutputStream out = Files.newOutputStream(temp)) {
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            buffer.putLong(head.length).put(head);
            for (int t = 0; t <= EmulatedBundle.VOCAB; t++) {
                for (int j = 0; j < width; j++) {
                    if (!buffer.hasRemaining()) {
                        out.write(buffer.array(), 0, buffer.position());
                        buffer.clear();
                    }
                    // the last "row" is model.norm.weight, all ones; table rows are exact in BF16
                    float v = t == EmulatedBundle.VOCAB ? 1f : EmulatedEncoding.textValue(t, j);
                    buffer.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
                }
            }
            out.write(buffer.array(), 0, buffer.position());
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
