package dev.fastvlm.emulator.tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A host tool's command line, parsed against the options it knows: each option's values in order
 * (an option may repeat, and may take more than one value, as {@code --input_dim NAME DIMS}).
 * Unknown options and missing values fail as the real tools do, with their usage.
 */
final class HostArguments {
    private final Map<String, List<List<String>>> values = new LinkedHashMap<>();

    /**
     * @param args    the arguments
     * @param arities each known option and how many values it takes (0 for a flag)
     */
    HostArguments(String[] args, Map<String, Integer> arities) {
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (Set.of("-h", "--help").contains(option)) {
                throw new ToolFailure("", 0, true);
            }
            Integer arity = arities.get(option);
            if (arity == null) {
                throw ToolFailure.unknownOption(option);
            }
            List<String> taken = new ArrayList<>();
            for (int k = 0; k < arity; k++) {
                if (i + 1 >= args.length || (args[i + 1].startsWith("-") && !args[i + 1].matches("-?[0-9].*"))) {
                    throw new ToolFailure("ERROR: option " + option + " needs " + arity + " value"
                            + (arity == 1 ? "" : "s"), 1, true);
                }
                taken.add(args[++i]);
            }
            values.computeIfAbsent(option, o -> new ArrayList<>()).add(taken);
        }
    }

    boolean has(String option) {
        return values.containsKey(option);
    }

    /** The single value of {@code option}, or null when it was not given. */
    String value(String option) {
        List<List<String>> v = values.get(option);
        if (v == null) {
            return null;
        }
        if (v.size() > 1) {
            throw new ToolFailure("ERROR: option " + option + " given " + v.size() + " times", 1, true);
        }
        return v.get(0).isEmpty() ? "" : v.get(0).get(0);
    }

    String required(String option) {
        String v = value(option);
        if (v == null) {
            throw new ToolFailure("ERROR: missing required option " + option, 1, true);
        }
        return v;
    }

    /** Every occurrence of {@code option}, each with its values. */
    List<List<String>> all(String option) {
        return values.getOrDefault(option, List.of());
    }

    /**
     * Each option given and the values of its every occurrence, in order.
     *
     * @return the options
     */
    Map<String, List<List<String>>> options() {
        return values;
    }
}
