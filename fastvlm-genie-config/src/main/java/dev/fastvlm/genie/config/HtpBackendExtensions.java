package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.internal.Json;
import dev.fastvlm.genie.internal.JsonFields;
import dev.fastvlm.genie.internal.Violation;
import dev.fastvlm.genie.soc.Soc;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The HTP backend extension JSON that a {@code QnnHtp} dialog names in
 * {@code dialog.engine.backend.extensions}: which chip and DSP architecture to target, the
 * performance profile, the memory type and weight sharing between context binaries.
 * Keys this model does not know are rejected rather than silently dropped.
 *
 * @param devices              one entry per HTP device, normally one
 * @param memType              {@code memory.mem_type}, e.g. {@code shared_buffer}, or null
 * @param weightSharingEnabled {@code context.weight_sharing_enabled}, or null
 */
public record HtpBackendExtensions(List<Device> devices, String memType, Boolean weightSharingEnabled) {

    private static final Set<String> PERF_PROFILES = Set.of("low_balanced", "balanced", "default",
            "high_performance", "sustained_high_performance", "burst", "low_power_saver", "power_saver",
            "high_power_saver", "extreme_power_saver");
    private static final Pattern DSP_ARCH = Pattern.compile("v[0-9]{2}");

    /**
     * One HTP device.
     *
     * @param socModel QNN's {@code soc_model} number
     * @param dspArch  HTP architecture, e.g. {@code v79}
     * @param cores    per-core settings
     */
    public record Device(int socModel, String dspArch, List<Core> cores) {
        /**
         * Copies the core list.
         *
         * @param socModel QNN's {@code soc_model} number
         * @param dspArch HTP architecture, e.g. {@code v79}
         * @param cores per-core settings
         * @throws NullPointerException when {@code cores} is null or holds null
         */
        public Device {
            cores = List.copyOf(cores);
        }
    }

    /**
     * One HTP core's settings.
     *
     * @param coreId            the core, normally 0
     * @param perfProfile       e.g. {@code burst}
     * @param rpcControlLatency RPC control latency in microseconds
     */
    public record Core(int coreId, String perfProfile, int rpcControlLatency) {
    }

    /**
     * Checks every device and core, and copies the device list.
     *
     * @param devices one entry per HTP device, normally one
     * @param memType {@code memory.mem_type}, e.g. {@code shared_buffer}, or null
     * @param weightSharingEnabled {@code context.weight_sharing_enabled}, or null
     * @throws GenieConfigException listing every problem with its JSON path: no device, a {@code soc_model} not
     *     positive, a {@code dsp_arch} not like {@code v79}, an unknown {@code perf_profile} or a negative latency
     */
    public HtpBackendExtensions {
        devices = List.copyOf(devices);
        List<Violation> violations = new ArrayList<>();
        if (devices.isEmpty()) {
            violations.add(new Violation("devices", "must list at least one device"));
        }
        for (int i = 0; i < devices.size(); i++) {
            Device d = devices.get(i);
            String path = "devices[" + i + "]";
            if (d.socModel() <= 0) {
                violations.add(new Violation(path + ".soc_model", "must be > 0, was " + d.socModel()));
            }
            if (d.dspArch() == null || !DSP_ARCH.matcher(d.dspArch()).matches()) {
                violations.add(new Violation(path + ".dsp_arch", "must look like \"v79\", was "
                        + (d.dspArch() == null ? "null" : "\"" + d.dspArch() + "\"")));
            }
            for (int j = 0; j < d.cores().size(); j++) {
                Core c = d.cores().get(j);
                if (!PERF_PROFILES.contains(c.perfProfile())) {
                    violations.add(new Violation(path + ".cores[" + j + "].perf_profile", "must be one of "
                            + String.join(", ", PERF_PROFILES.stream().sorted().toList()) + ", was \""
                            + c.perfProfile() + "\""));
                }
                if (c.rpcControlLatency() < 0) {
                    violations.add(new Violation(path + ".cores[" + j + "].rpc_control_latency", "must be >= 0, was "
                            + c.rpcControlLatency()));
                }
            }
        }
        if (!violations.isEmpty()) {
            throw new GenieConfigException(violations);
        }
    }

    /**
     * The settings of Qualcomm's public Genie HTP template for {@code soc}: one device, core 0 in
     * {@code burst} with 100 us RPC latency, shared-buffer memory, weight sharing enabled.
     *
     * @param soc the device's chip
     * @return the extension settings for that chip
     */
    public static HtpBackendExtensions forSoc(Soc soc) {
        return new HtpBackendExtensions(List.of(new Device(soc.socModel(), soc.htpArch().dspArch(),
                List.of(new Core(0, "burst", 100)))), "shared_buffer", true);
    }

    /**
     * Parses an extension JSON; every problem is reported in one {@link GenieConfigException}.
     *
     * @param json the JSON text
     * @return the settings
     * @throws GenieConfigException when the text is not JSON, lacks a required key, has an unknown key, or breaks a
     *     rule above
     */
    public static HtpBackendExtensions parse(String json) {
        StringBuilder error = new StringBuilder();
        JsonNode root = Json.parse(json, error);
        if (root == null) {
            throw new GenieConfigException(List.of(new Violation("<document>", error.toString())));
        }
        List<Violation> problems = new ArrayList<>();
        JsonFields top = JsonFields.of(root, "", problems);
        if (top == null) {
            throw new GenieConfigException(problems);
        }
        List<Device> devices = top.array("devices", true, (element, path) -> readDevice(element, path, problems));
        String memType = null;
        JsonFields memory = top.object("memory", false);
        if (memory != null) {
            memType = memory.string("mem_type", false);
            memory.rejectUnknownKeys();
        }
        Boolean weightSharing = null;
        JsonFields context = top.object("context", false);
        if (context != null) {
            weightSharing = context.bool("weight_sharing_enabled", false);
            context.rejectUnknownKeys();
        }
        top.rejectUnknownKeys();
        if (!problems.isEmpty()) {
            throw new GenieConfigException(problems);
        }
        return new HtpBackendExtensions(devices, memType, weightSharing);
    }

    /**
     * Reads and parses an extension JSON file.
     *
     * @param file the file
     * @return the settings
     * @throws GenieConfigException when the file cannot be read or is not valid; the message names the file
     */
    public static HtpBackendExtensions read(Path file) {
        return ConfigFiles.read(file, HtpBackendExtensions::parse);
    }

    private static Device readDevice(JsonNode node, String path, List<Violation> problems) {
        JsonFields f = JsonFields.of(node, path, problems);
        if (f == null) {
            return null;
        }
        Integer socModel = f.int32("soc_model", true);
        String dspArch = f.string("dsp_arch", true);
        List<Core> cores = f.array("cores", false, (element, corePath) -> {
            JsonFields c = JsonFields.of(element, corePath, problems);
            if (c == null) {
                return null;
            }
            Integer id = c.int32("core_id", true);
            String profile = c.string("perf_profile", true);
            Integer latency = c.int32("rpc_control_latency", true);
            c.rejectUnknownKeys();
            return id == null || profile == null || latency == null ? null : new Core(id, profile, latency);
        });
        f.rejectUnknownKeys();
        return socModel == null || dspArch == null ? null
                : new Device(socModel, dspArch, cores == null ? List.of() : cores);
    }

    /**
     * The JSON, pretty-printed with a stable key order.
     *
     * @return the JSON text, ending with a newline
     */
    public String toJson() {
        ObjectNode root = Json.object();
        ArrayNode deviceArray = root.putArray("devices");
        for (Device d : devices) {
            ObjectNode device = deviceArray.addObject();
            device.put("soc_model", d.socModel());
            device.put("dsp_arch", d.dspArch());
            ArrayNode coreArray = device.putArray("cores");
            for (Core c : d.cores()) {
                coreArray.addObject().put("core_id", c.coreId()).put("perf_profile", c.perfProfile())
                        .put("rpc_control_latency", c.rpcControlLatency());
            }
        }
        if (memType != null) {
            root.putObject("memory").put("mem_type", memType);
        }
        if (weightSharingEnabled != null) {
            root.putObject("context").put("weight_sharing_enabled", weightSharingEnabled);
        }
        return Json.pretty(root);
    }

    /**
     * Writes {@link #toJson()} atomically.
     *
     * @param file the file to write; its parent folders are created
     * @throws dev.fastvlm.FastVlmException when the file cannot be written
     */
    public void write(Path file) {
        Json.writeAtomically(file, toJson());
    }
}
