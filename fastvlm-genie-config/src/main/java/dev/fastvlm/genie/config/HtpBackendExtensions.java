package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.internal.Json;
import dev.fastvlm.genie.internal.JsonFields;
import dev.fastvlm.genie.internal.Violation;
import dev.fastvlm.genie.soc.Soc;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The HTP backend extension JSON that a {@code QnnHtp} dialog names in
 * {@code dialog.engine.backend.extensions}: which chip and DSP architecture to target, the
 * performance profile, the memory type and how context binaries share resources. Read in every
 * form Qualcomm's own files use: {@code soc_model} or the older {@code soc_id}, weight sharing as
 * {@code context.weight_sharing_enabled} (the Genie tutorial's template) or
 * {@code groupContext.share_resources} (the current ChatApp), and the cores-only device of the
 * SDK's example without any chip. The file is kept as written: keys this model does not know are
 * kept and written back (and named in {@link #warnings()}).
 *
 * <p>The extension file is read by Qualcomm's closed HTP extension library, whose rules are not
 * public; this class rejects only values of the wrong JSON type and keeps other doubts as warnings.
 */
public final class HtpBackendExtensions {

    private static final Set<String> PERF_PROFILES = Set.of("low_balanced", "balanced", "default",
            "high_performance", "sustained_high_performance", "burst", "low_power_saver", "power_saver",
            "high_power_saver", "extreme_power_saver");
    private static final Pattern DSP_ARCH = Pattern.compile("v[0-9]{2}");
    /** The keys of each object this model reads; others are kept and warned about. */
    private static final Map<String, Set<String>> KNOWN = Map.of(
            "", Set.of("devices", "memory", "context", "groupContext"),
            "devices", Set.of("soc_model", "soc_id", "dsp_arch", "cores"),
            "cores", Set.of("core_id", "perf_profile", "rpc_control_latency"),
            "memory", Set.of("mem_type"),
            "context", Set.of("weight_sharing_enabled"),
            "groupContext", Set.of("share_resources"));

    /**
     * One HTP device.
     *
     * @param socModel QNN's SoC number ({@code soc_model}, or the older spelling {@code soc_id}), or null
     *                 when the file leaves the chip to the backend
     * @param dspArch  HTP architecture, e.g. {@code v79}, or null
     * @param cores    per-core settings
     */
    public record Device(Integer socModel, String dspArch, List<Core> cores) {
        /**
         * A device; the core list is copied.
         *
         * @param socModel QNN's SoC number, or null
         * @param dspArch  HTP architecture, or null
         * @param cores    per-core settings
         */
        public Device {
            cores = List.copyOf(cores);
        }
    }

    /**
     * One HTP core's settings.
     *
     * @param coreId            the core, or null when the file leaves it out (the SDK's example)
     * @param perfProfile       e.g. {@code burst}, or null
     * @param rpcControlLatency RPC control latency in microseconds, or null
     */
    public record Core(Integer coreId, String perfProfile, Integer rpcControlLatency) {
    }

    private final ObjectNode root;
    private final List<String> warnings;

    private HtpBackendExtensions(ObjectNode root, List<Violation> warnings) {
        this.root = root;
        this.warnings = warnings.stream().map(Violation::toString).toList();
    }

    /**
     * The settings of Qualcomm's public Genie HTP template for {@code soc}: one device, core 0 in
     * {@code burst} with 100 us RPC latency, shared-buffer memory, weight sharing enabled.
     *
     * @param soc the chip
     * @return the extension settings
     */
    public static HtpBackendExtensions forSoc(Soc soc) {
        ObjectNode root = Json.object();
        ObjectNode device = root.putArray("devices").addObject();
        device.put("soc_model", soc.socModel());
        device.put("dsp_arch", soc.htpArch().dspArch());
        device.putArray("cores").addObject().put("core_id", 0).put("perf_profile", "burst")
                .put("rpc_control_latency", 100);
        root.putObject("memory").put("mem_type", "shared_buffer");
        root.putObject("context").put("weight_sharing_enabled", true);
        return check(root);
    }

    /**
     * Parses an extension file's text.
     *
     * @param json the text
     * @return the settings
     * @throws GenieConfigException naming each value of the wrong type by its path
     */
    public static HtpBackendExtensions parse(String json) {
        StringBuilder error = new StringBuilder();
        JsonNode root = Json.parse(json, error);
        if (root == null) {
            throw new GenieConfigException(List.of(new Violation("<document>", error.toString())));
        }
        if (!root.isObject()) {
            throw new GenieConfigException(List.of(new Violation("<document>", "must be an object, was "
                    + JsonFields.describe(root))));
        }
        return check((ObjectNode) root);
    }

    /**
     * Reads an extension file; problems name the file.
     *
     * @param file the file
     * @return the settings
     * @throws GenieConfigException when it cannot be read or has values of the wrong type
     */
    public static HtpBackendExtensions read(Path file) {
        return ConfigFiles.read(file, HtpBackendExtensions::parse);
    }

    private static HtpBackendExtensions check(ObjectNode root) {
        List<Violation> errors = new ArrayList<>();
        List<Violation> warnings = new ArrayList<>();
        unknownKeys(root, "", "", warnings);
        JsonNode devices = root.get("devices");
        if (devices != null && !devices.isArray()) {
            errors.add(new Violation("devices", "must be an array, was " + JsonFields.describe(devices)));
        } else if (devices != null) {
            for (int i = 0; i < devices.size(); i++) {
                device(devices.get(i), "devices[" + i + "]", errors, warnings);
            }
        }
        section(root, "memory", "mem_type", false, errors, warnings);
        section(root, "context", "weight_sharing_enabled", true, errors, warnings);
        section(root, "groupContext", "share_resources", true, errors, warnings);
        if (!errors.isEmpty()) {
            throw new GenieConfigException(errors);
        }
        return new HtpBackendExtensions((ObjectNode) Json.normalized(root), warnings);
    }

    private static void device(JsonNode d, String path, List<Violation> errors, List<Violation> warnings) {
        if (!d.isObject()) {
            errors.add(new Violation(path, "must be an object, was " + JsonFields.describe(d)));
            return;
        }
        unknownKeys(d, "devices", path, warnings);
        integer(d, "soc_model", path, errors);
        integer(d, "soc_id", path, errors);
        if (d.has("soc_model") && d.has("soc_id")) {
            warnings.add(new Violation(path, "names its chip twice (soc_model and soc_id)"));
        }
        JsonNode arch = d.get("dsp_arch");
        if (arch != null && !arch.isTextual()) {
            errors.add(new Violation(path + ".dsp_arch", "must be a string, was " + JsonFields.describe(arch)));
        } else if (arch != null && !DSP_ARCH.matcher(arch.asText()).matches()) {
            warnings.add(new Violation(path + ".dsp_arch", "\"" + arch.asText() + "\" does not look like \"v79\""));
        }
        JsonNode cores = d.get("cores");
        if (cores != null && !cores.isArray()) {
            errors.add(new Violation(path + ".cores", "must be an array, was " + JsonFields.describe(cores)));
            return;
        }
        for (int j = 0; cores != null && j < cores.size(); j++) {
            JsonNode c = cores.get(j);
            String corePath = path + ".cores[" + j + "]";
            if (!c.isObject()) {
                errors.add(new Violation(corePath, "must be an object, was " + JsonFields.describe(c)));
                continue;
            }
            unknownKeys(c, "cores", corePath, warnings);
            integer(c, "core_id", corePath, errors);
            integer(c, "rpc_control_latency", corePath, errors);
            JsonNode profile = c.get("perf_profile");
            if (profile != null && !profile.isTextual()) {
                errors.add(new Violation(corePath + ".perf_profile", "must be a string, was "
                        + JsonFields.describe(profile)));
            } else if (profile != null && !PERF_PROFILES.contains(profile.asText())) {
                warnings.add(new Violation(corePath + ".perf_profile", "\"" + profile.asText()
                        + "\" is not one of " + String.join(", ", PERF_PROFILES.stream().sorted().toList())));
            }
            if (c.path("rpc_control_latency").asLong(0) < 0) {
                warnings.add(new Violation(corePath + ".rpc_control_latency", "a negative latency has no meaning"));
            }
        }
    }

    private static void section(ObjectNode root, String name, String key, boolean bool, List<Violation> errors,
                                List<Violation> warnings) {
        JsonNode s = root.get(name);
        if (s == null) {
            return;
        }
        if (!s.isObject()) {
            errors.add(new Violation(name, "must be an object, was " + JsonFields.describe(s)));
            return;
        }
        unknownKeys(s, name, name, warnings);
        JsonNode v = s.get(key);
        if (v != null && (bool ? !v.isBoolean() : !v.isTextual())) {
            errors.add(new Violation(name + "." + key, "must be " + (bool ? "true or false" : "a string")
                    + ", was " + JsonFields.describe(v)));
        }
    }

    private static void integer(JsonNode o, String key, String path, List<Violation> errors) {
        JsonNode v = o.get(key);
        if (v != null && !(v.canConvertToExactIntegral() && v.canConvertToInt())) {
            errors.add(new Violation(path + "." + key, "must be an integer, was " + JsonFields.describe(v)));
        }
    }

    private static void unknownKeys(JsonNode o, String kind, String path, List<Violation> warnings) {
        Set<String> known = KNOWN.get(kind);
        o.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k)) {
                warnings.add(new Violation(path.isEmpty() ? k : path + "." + k, "not known to this project; kept as"
                        + " written"));
            }
        });
    }

    /**
     * The devices, in file order.
     *
     * @return the devices (empty when the file has none)
     */
    public List<Device> devices() {
        List<Device> out = new ArrayList<>();
        for (JsonNode d : root.path("devices")) {
            List<Core> cores = new ArrayList<>();
            for (JsonNode c : d.path("cores")) {
                cores.add(new Core(Views.int32(c, "core_id"), Views.text(c, "perf_profile"),
                        Views.int32(c, "rpc_control_latency")));
            }
            Integer soc = d.has("soc_model") ? Views.int32(d, "soc_model") : Views.int32(d, "soc_id");
            out.add(new Device(soc, Views.text(d, "dsp_arch"), cores));
        }
        return List.copyOf(out);
    }

    /**
     * The memory type.
     *
     * @return {@code memory.mem_type}, e.g. {@code shared_buffer}, or null
     */
    public String memType() {
        return Views.text(root.path("memory"), "mem_type");
    }

    /**
     * Weight sharing between context binaries, in the template's spelling.
     *
     * @return {@code context.weight_sharing_enabled}, or null
     */
    public Boolean weightSharingEnabled() {
        return Views.bool(root.path("context"), "weight_sharing_enabled");
    }

    /**
     * Resource sharing between the context binaries of a group, in the current ChatApp's spelling.
     *
     * @return {@code groupContext.share_resources}, or null
     */
    public Boolean shareResources() {
        return Views.bool(root.path("groupContext"), "share_resources");
    }

    /**
     * Doubts that do not reject the file (unknown keys, unusual values), each as {@code path: doubt}.
     *
     * @return the warnings, in document order
     */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * The file as JSON (a copy).
     *
     * @return the whole document
     */
    public ObjectNode json() {
        return root.deepCopy();
    }

    /**
     * The JSON, pretty-printed in the file's own key order.
     *
     * @return the text, ending with a newline
     */
    public String toJson() {
        return Json.pretty(root);
    }

    /**
     * Writes {@link #toJson()} atomically.
     *
     * @param file where to write
     */
    public void write(Path file) {
        Json.writeAtomically(file, toJson());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HtpBackendExtensions other && root.equals(other.root);
    }

    @Override
    public int hashCode() {
        return root.hashCode();
    }

    @Override
    public String toString() {
        return "HtpBackendExtensions" + root;
    }
}
