package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.internal.Json;
import dev.fastvlm.genie.internal.JsonFields;

/**
 * The {@code dialog.engine} block.
 *
 * @param nThreads CPU threads Genie may use, &gt; 0
 * @param backend  the backend and its block
 * @param model    where the weights are
 */
public record EngineConfig(int nThreads, BackendConfig backend, ModelConfig model) {

    /**
     * A copy with another backend block.
     *
     * @param newBackend the backend and its block
     * @return the modified copy
     */
    public EngineConfig withBackend(BackendConfig newBackend) {
        return new EngineConfig(nThreads, newBackend, model);
    }

    /**
     * A copy with another model block.
     *
     * @param newModel where the weights are
     * @return the modified copy
     */
    public EngineConfig withModel(ModelConfig newModel) {
        return new EngineConfig(nThreads, backend, newModel);
    }

    static EngineConfig read(JsonFields f) {
        f.version();
        Integer nThreads = f.int32("n-threads", true);
        JsonFields backendFields = f.object("backend", true);
        BackendConfig backend = backendFields == null ? null : BackendConfig.read(backendFields);
        JsonFields modelFields = f.object("model", true);
        ModelConfig model = modelFields == null ? null : ModelConfig.read(modelFields);
        f.rejectUnknownKeys();
        return nThreads == null || backend == null || model == null ? null
                : new EngineConfig(nThreads, backend, model);
    }

    ObjectNode toJsonNode() {
        ObjectNode node = Json.object();
        node.put("version", 1);
        node.put("n-threads", nThreads);
        node.set("backend", backend.toJsonNode());
        node.set("model", model.toJsonNode());
        return node;
    }
}
