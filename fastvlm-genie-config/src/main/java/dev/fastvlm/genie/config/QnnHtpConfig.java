package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.internal.Json;

/**
 * The {@code QnnHtp} block: Genie's NPU decoder. The first five fields are mandatory in Genie; the
 * others may be null (absent). Build with {@link #builder()}.
 *
 * @param spillFillBufsize     spill/fill buffer size in bytes (0: Genie decides)
 * @param mmapBudget           bytes mapped at a time (0: no limit)
 * @param useMmap              map the context binaries instead of reading them
 * @param cpuMask              CPU affinity as a hexadecimal string, e.g. {@code "0xe0"}
 * @param poll                 poll for NPU completion instead of waiting
 * @param kvDim                width of one KV-cache head
 * @param posIdDim             position-id width (older form; excludes a {@code positional-encoding} block)
 * @param ropeTheta            RoPE base (older form; excludes a {@code positional-encoding} block)
 * @param dataAlignmentSize    I/O buffer alignment
 * @param kvUpdateMethod       e.g. {@code pointer-shift}
 * @param allowAsyncInit       load context binaries in parallel
 * @param enableGraphSwitching switch between graphs of different sequence lengths
 * @param sharedEngine         share one engine between dialogs (needs allowAsyncInit)
 * @param skipLoraValidation   skip LoRA adapter checks
 * @param graphSwitchingLoraPolicy {@code lazy} or {@code eager} LoRA application when switching graphs
 */
public record QnnHtpConfig(long spillFillBufsize, long mmapBudget, boolean useMmap, String cpuMask, boolean poll,
                           Integer kvDim, Integer posIdDim, Double ropeTheta, Integer dataAlignmentSize,
                           String kvUpdateMethod, Boolean allowAsyncInit, Boolean enableGraphSwitching,
                           Boolean sharedEngine, Boolean skipLoraValidation, String graphSwitchingLoraPolicy) {

    /**
     * A builder with the defaults of Qualcomm's public HTP examples.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding every field of this block, for editing.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.spillFillBufsize = spillFillBufsize;
        b.mmapBudget = mmapBudget;
        b.useMmap = useMmap;
        b.cpuMask = cpuMask;
        b.poll = poll;
        b.kvDim = kvDim;
        b.posIdDim = posIdDim;
        b.ropeTheta = ropeTheta;
        b.dataAlignmentSize = dataAlignmentSize;
        b.kvUpdateMethod = kvUpdateMethod;
        b.allowAsyncInit = allowAsyncInit;
        b.enableGraphSwitching = enableGraphSwitching;
        b.sharedEngine = sharedEngine;
        b.skipLoraValidation = skipLoraValidation;
        b.graphSwitchingLoraPolicy = graphSwitchingLoraPolicy;
        return b;
    }

    static QnnHtpConfig read(JsonNode n) {
        return builder().kvDim(Views.int32(n, "kv-dim")).posIdDim(Views.int32(n, "pos-id-dim"))
                .ropeTheta(Views.number(n, "rope-theta")).dataAlignmentSize(Views.int32(n, "data-alignment-size"))
                .kvUpdateMethod(Views.text(n, "kv-update-method")).allowAsyncInit(Views.bool(n, "allow-async-init"))
                .enableGraphSwitching(Views.bool(n, "enable-graph-switching"))
                .sharedEngine(Views.bool(n, "shared-engine"))
                .skipLoraValidation(Views.bool(n, "skip-lora-validation"))
                .graphSwitchingLoraPolicy(Views.text(n, "graph-switching-lora-policy"))
                .spillFillBufsize(n.path("spill-fill-bufsize").asLong()).mmapBudget(n.path("mmap-budget").asLong())
                .useMmap(n.path("use-mmap").asBoolean()).cpuMask(Views.text(n, "cpu-mask"))
                .poll(n.path("poll").asBoolean()).build();
    }

    ObjectNode toJsonNode() {
        ObjectNode node = Json.object();
        node.put("version", 1);
        node.put("spill-fill-bufsize", spillFillBufsize);
        node.put("mmap-budget", mmapBudget);
        node.put("use-mmap", useMmap);
        node.put("cpu-mask", cpuMask);
        node.put("poll", poll);
        if (kvDim != null) {
            node.put("kv-dim", kvDim);
        }
        if (posIdDim != null) {
            node.put("pos-id-dim", posIdDim);
        }
        if (ropeTheta != null) {
            Json.putNumber(node, "rope-theta", ropeTheta);
        }
        if (dataAlignmentSize != null) {
            node.put("data-alignment-size", dataAlignmentSize);
        }
        if (kvUpdateMethod != null) {
            node.put("kv-update-method", kvUpdateMethod);
        }
        if (allowAsyncInit != null) {
            node.put("allow-async-init", allowAsyncInit);
        }
        if (enableGraphSwitching != null) {
            node.put("enable-graph-switching", enableGraphSwitching);
        }
        if (sharedEngine != null) {
            node.put("shared-engine", sharedEngine);
        }
        if (skipLoraValidation != null) {
            node.put("skip-lora-validation", skipLoraValidation);
        }
        if (graphSwitchingLoraPolicy != null) {
            node.put("graph-switching-lora-policy", graphSwitchingLoraPolicy);
        }
        return node;
    }

    /**
     * Mutable builder. Defaults are those of Qualcomm's public HTP examples: mmap on, no spill-fill
     * buffer or mmap budget, no polling, CPU mask {@code 0xe0} (the big cores).
     */
    public static final class Builder {
        private long spillFillBufsize;
        private long mmapBudget;
        private boolean useMmap = true;
        private String cpuMask = "0xe0";
        private boolean poll;
        private Integer kvDim;
        private Integer posIdDim;
        private Double ropeTheta;
        private Integer dataAlignmentSize;
        private String kvUpdateMethod;
        private Boolean allowAsyncInit;
        private Boolean enableGraphSwitching;
        private Boolean sharedEngine;
        private Boolean skipLoraValidation;
        private String graphSwitchingLoraPolicy;

        private Builder() {
        }

        /**
         * Spill/fill buffer size; 0 (the default) lets Genie decide.
         *
         * @param v size in bytes, &gt;= 0
         * @return this builder
         */
        public Builder spillFillBufsize(long v) {
            spillFillBufsize = v;
            return this;
        }

        /**
         * Bytes mapped at a time; 0 (the default) for no limit.
         *
         * @param v size in bytes, &gt;= 0
         * @return this builder
         */
        public Builder mmapBudget(long v) {
            mmapBudget = v;
            return this;
        }

        /**
         * Whether the context binaries are mapped instead of read; on by default.
         *
         * @param v {@code true} to map them
         * @return this builder
         */
        public Builder useMmap(boolean v) {
            useMmap = v;
            return this;
        }

        /**
         * CPU affinity of Genie's threads; {@code 0xe0} (the big cores) by default.
         *
         * @param v a hexadecimal mask string such as {@code "0xe0"}
         * @return this builder
         */
        public Builder cpuMask(String v) {
            cpuMask = v;
            return this;
        }

        /**
         * Whether to poll for NPU completion instead of waiting; off by default.
         *
         * @param v {@code true} to poll
         * @return this builder
         */
        public Builder poll(boolean v) {
            poll = v;
            return this;
        }

        /**
         * Width of one KV-cache head (the model's {@code nEmbd / nHeads}).
         *
         * @param v the width, or null to leave the key out
         * @return this builder
         */
        public Builder kvDim(Integer v) {
            kvDim = v;
            return this;
        }

        /**
         * Position-id width, the older form of the positional encoding (excludes a {@code positional-encoding}
         * block).
         *
         * @param v the width, or null to leave the key out
         * @return this builder
         */
        public Builder posIdDim(Integer v) {
            posIdDim = v;
            return this;
        }

        /**
         * RoPE base, the older form of the positional encoding (excludes a {@code positional-encoding} block).
         *
         * @param v the base, or null to leave the key out
         * @return this builder
         */
        public Builder ropeTheta(Double v) {
            ropeTheta = v;
            return this;
        }

        /**
         * I/O buffer alignment.
         *
         * @param v the alignment in bytes, or null to leave the key out
         * @return this builder
         */
        public Builder dataAlignmentSize(Integer v) {
            dataAlignmentSize = v;
            return this;
        }

        /**
         * How the KV cache is updated.
         *
         * @param v for example {@code pointer-shift}, or null to leave the key out
         * @return this builder
         */
        public Builder kvUpdateMethod(String v) {
            kvUpdateMethod = v;
            return this;
        }

        /**
         * Whether context binaries are loaded in parallel.
         *
         * @param v the flag, or null to leave the key out
         * @return this builder
         */
        public Builder allowAsyncInit(Boolean v) {
            allowAsyncInit = v;
            return this;
        }

        /**
         * Whether Genie switches between graphs of different sequence lengths.
         *
         * @param v the flag, or null to leave the key out
         * @return this builder
         */
        public Builder enableGraphSwitching(Boolean v) {
            enableGraphSwitching = v;
            return this;
        }

        /**
         * Whether dialogs share one engine (needs {@code allow-async-init}).
         *
         * @param v the flag, or null to leave the key out
         * @return this builder
         */
        public Builder sharedEngine(Boolean v) {
            sharedEngine = v;
            return this;
        }

        /**
         * Whether LoRA adapter checks are skipped.
         *
         * @param v the flag, or null to leave the key out
         * @return this builder
         */
        public Builder skipLoraValidation(Boolean v) {
            skipLoraValidation = v;
            return this;
        }

        /**
         * When LoRA adapters are applied on a graph switch.
         *
         * @param v {@code lazy} or {@code eager}, or null to leave the key out
         * @return this builder
         */
        public Builder graphSwitchingLoraPolicy(String v) {
            graphSwitchingLoraPolicy = v;
            return this;
        }

        /**
         * The block; its values are checked when it becomes part of a {@link GenieConfig}.
         *
         * @return the block
         */
        public QnnHtpConfig build() {
            return new QnnHtpConfig(spillFillBufsize, mmapBudget, useMmap, cpuMask, poll, kvDim, posIdDim, ropeTheta,
                    dataAlignmentSize, kvUpdateMethod, allowAsyncInit, enableGraphSwitching, sharedEngine,
                    skipLoraValidation, graphSwitchingLoraPolicy);
        }
    }
}
