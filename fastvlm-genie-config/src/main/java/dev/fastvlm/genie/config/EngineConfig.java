package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.internal.Json;

/**
 * The {@code dialog.engine} block (or one engine of a multi-engine dialog). An engine's
 * {@code role}, {@code longcontext} and {@code cache-groups} are kept in the config's JSON.
 *
 * @param nThreads CPU threads Genie may use
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

    static EngineConfig read(JsonNode n) {
        return new EngineConfig(n.path("n-threads").asInt(), BackendConfig.read(n.path("backend")),
                ModelConfig.read(n.path("model")));
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
