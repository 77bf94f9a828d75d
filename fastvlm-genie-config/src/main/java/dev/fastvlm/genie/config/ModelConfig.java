package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.internal.Json;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@code dialog.engine.model} block: where the decoder's weights are.
 *
 * @param type               binary or library
 * @param ctxBins            {@code binary.ctx-bins}: context binaries in order, present exactly for
 *                           type binary
 * @param modelBin           {@code library.model-bin}, present exactly for type library
 * @param positionalEncoding the positional encoding, or null
 * @param lora               the {@code lora} object of the binary or library block as written, or null;
 *                           kept verbatim
 */
public record ModelConfig(ModelType type, List<String> ctxBins, String modelBin,
                          PositionalEncoding positionalEncoding, ObjectNode lora) {

    /**
     * Copies the context binary list and the LoRA object, so the record stays immutable.
     *
     * @param type binary or library
     * @param ctxBins {@code binary.ctx-bins}: context binaries in order, present exactly for type binary
     * @param modelBin {@code library.model-bin}, present exactly for type library
     * @param positionalEncoding the positional encoding, or null
     * @param lora the {@code lora} object of the binary or library block as written, or null; kept verbatim
     */
    public ModelConfig {
        ctxBins = ctxBins == null ? null : Collections.unmodifiableList(new ArrayList<>(ctxBins));
        lora = lora == null ? null : lora.deepCopy();
    }

    /**
     * The {@code lora} object as written.
     *
     * @return a copy, or null when absent
     */
    @Override
    public ObjectNode lora() {
        return lora == null ? null : lora.deepCopy();
    }

    /**
     * Context binaries, loaded in this order.
     *
     * @param ctxBins device paths of the context binaries
     * @return a block of type binary
     */
    public static ModelConfig binary(List<String> ctxBins) {
        return new ModelConfig(ModelType.BINARY, ctxBins, null, null, null);
    }

    /**
     * One model library file.
     *
     * @param modelBin device path of the model library
     * @return a block of type library
     */
    public static ModelConfig library(String modelBin) {
        return new ModelConfig(ModelType.LIBRARY, null, modelBin, null, null);
    }

    /**
     * A copy with another positional encoding.
     *
     * @param encoding the encoding, or null to leave the block out
     * @return the modified copy
     */
    public ModelConfig withPositionalEncoding(PositionalEncoding encoding) {
        return new ModelConfig(type, ctxBins, modelBin, encoding, lora);
    }

    /**
     * The same model with these context binaries (type binary), keeping encoding and LoRA settings.
     *
     * @param files device paths of the context binaries, in load order
     * @return the modified copy
     */
    public ModelConfig withCtxBins(List<String> files) {
        return new ModelConfig(ModelType.BINARY, files, null, positionalEncoding, lora);
    }

    /**
     * The same model with this library file (type library), keeping encoding and LoRA settings.
     *
     * @param file device path of the model library
     * @return the modified copy
     */
    public ModelConfig withModelBin(String file) {
        return new ModelConfig(ModelType.LIBRARY, null, file, positionalEncoding, lora);
    }

    static ModelConfig read(JsonNode n) {
        ModelType type = null;
        for (ModelType t : ModelType.values()) {
            if (t.jsonName().equals(n.path("type").asText())) {
                type = t;
            }
        }
        ObjectNode binary = Views.object(n, "binary");
        ObjectNode library = Views.object(n, "library");
        // LoRA adapters are kept as written: this project does not apply them, but must not drop them
        ObjectNode lora = library != null && Views.object(library, "lora") != null ? Views.object(library, "lora")
                : Views.object(binary, "lora");
        ObjectNode encoding = Views.object(n, "positional-encoding");
        return new ModelConfig(type, binary == null ? null : Views.texts(binary, "ctx-bins"),
                library == null ? null : Views.text(library, "model-bin"),
                encoding == null ? null : PositionalEncoding.read(encoding), lora);
    }

    ObjectNode toJsonNode() {
        ObjectNode node = Json.object();
        node.put("version", 1);
        node.put("type", type.jsonName());
        if (ctxBins != null) {
            ObjectNode binary = node.putObject("binary");
            binary.put("version", 1);
            ctxBins.forEach(binary.putArray("ctx-bins")::add);
            if (lora != null) {
                binary.set("lora", lora.deepCopy());
            }
        }
        if (modelBin != null) {
            ObjectNode library = node.putObject("library");
            library.put("version", 1);
            library.put("model-bin", modelBin);
            if (lora != null) {
                library.set("lora", lora.deepCopy());
            }
        }
        if (positionalEncoding != null) {
            node.set("positional-encoding", positionalEncoding.toJsonNode());
        }
        return node;
    }
}
