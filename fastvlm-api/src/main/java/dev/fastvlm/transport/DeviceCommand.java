package dev.fastvlm.transport;

import dev.fastvlm.InvalidConfigurationException;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A program to run on the device, as an argument list: the transport quotes every argument, so no
 * file name or prompt text can inject shell syntax. Immutable; the {@code with...} methods return
 * modified copies.
 *
 * <pre>{@code
 * DeviceCommand.of("./qnn-net-run", "--backend", "libQnnHtp.so")
 *     .withEnvironment("LD_LIBRARY_PATH", dir + ":/vendor/dsp/cdsp:/vendor/lib64")
 *     .inDirectory(dir)
 *     .withTimeout(Duration.ofMinutes(2));
 * }</pre>
 *
 * @param arguments        program and arguments, at least one
 * @param environment      variables set for this program only (insertion order kept)
 * @param workingDirectory device directory to run in, if any
 * @param timeout          limit after which the program is stopped on the device
 */
public record DeviceCommand(List<String> arguments, Map<String, String> environment,
                            Optional<String> workingDirectory, Duration timeout) {

    /** Used when no timeout is given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public DeviceCommand {
        if (arguments == null || arguments.isEmpty()) {
            throw new InvalidConfigurationException("command.arguments", "must name a program");
        }
        for (String argument : arguments) {
            if (argument == null || argument.indexOf('\0') >= 0) {
                throw new InvalidConfigurationException("command.arguments",
                        "must not contain null or NUL characters: " + arguments);
            }
        }
        for (String name : environment.keySet()) {
            if (!VARIABLE_NAME.matcher(name).matches()) {
                throw new InvalidConfigurationException("command.environment", "not a variable name: " + name);
            }
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new InvalidConfigurationException("command.timeout", "must be positive, was " + timeout);
        }
        arguments = List.copyOf(arguments);
        environment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    }

    public static DeviceCommand of(String program, String... arguments) {
        List<String> all = new java.util.ArrayList<>(arguments.length + 1);
        all.add(program);
        all.addAll(List.of(arguments));
        return new DeviceCommand(all, Map.of(), Optional.empty(), DEFAULT_TIMEOUT);
    }

    public static DeviceCommand of(List<String> arguments) {
        return new DeviceCommand(arguments, Map.of(), Optional.empty(), DEFAULT_TIMEOUT);
    }

    public DeviceCommand withEnvironment(String name, String value) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put(name, value);
        return new DeviceCommand(arguments, env, workingDirectory, timeout);
    }

    public DeviceCommand inDirectory(String directory) {
        return new DeviceCommand(arguments, environment, Optional.of(directory), timeout);
    }

    public DeviceCommand withTimeout(Duration limit) {
        return new DeviceCommand(arguments, environment, workingDirectory, limit);
    }

    /** The program's name, for messages. */
    public String program() {
        return arguments.get(0);
    }
}
