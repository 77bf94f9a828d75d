package dev.fastvlm.genie.config;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The Genie engine backends ({@code dialog.engine.backend.type}). */
public enum BackendType {
    /** The Hexagon NPU, from QNN context binaries. */
    QNN_HTP("QnnHtp"),
    /** The CPU transformer of the seed flow, from a model library binary. */
    QNN_GEN_AI_TRANSFORMER("QnnGenAiTransformer"),
    /** The Adreno GPU. */
    QNN_GPU("QnnGpu");

    private final String jsonName;

    BackendType(String jsonName) {
        this.jsonName = jsonName;
    }

    /** {@return the spelling in the config, which is also the key of the backend's own block} */
    public String jsonName() {
        return jsonName;
    }

    static Optional<BackendType> fromJsonName(String name) {
        return Arrays.stream(values()).filter(t -> t.jsonName.equals(name)).findFirst();
    }

    static String names() {
        return Arrays.stream(values()).map(BackendType::jsonName).collect(Collectors.joining(", "));
    }
}
