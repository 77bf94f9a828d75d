package dev.fastvlm.genie.config;

/** How Genie finds the decoder's weights ({@code dialog.engine.model.type}). */
public enum ModelType {
    /** QNN context binaries ({@code binary.ctx-bins}), for the HTP backend. */
    BINARY("binary"),
    /** One model library file ({@code library.model-bin}), for the CPU backend. */
    LIBRARY("library");

    private final String jsonName;

    ModelType(String jsonName) {
        this.jsonName = jsonName;
    }

    /** {@return the spelling in the config, which is also the key of the type's own block} */
    public String jsonName() {
        return jsonName;
    }
}
