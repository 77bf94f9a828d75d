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

    /**
     * Checks and copies the fields.
     *
     * @param arguments program and arguments, at least one
     * @param environment variables set for this program only (insertion order kept)
     * @param workingDirectory device directory to run in, if any
     * @param timeout limit after which the program is stopped on the device
     * @throws InvalidConfigurationException when there is no program, an argument is null or holds a NUL character, a
     *     variable name is not a shell name, or the timeout is not positive
     */
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

    /**
     * A program with arguments, run in the shell's default directory with {@link #DEFAULT_TIMEOUT}.
     *
     * @param program the program's path or name on the device
     * @param arguments its arguments, each passed as one word whatever it contains
     * @return the command
     * @throws InvalidConfigurationException when an argument is null or holds a NUL character
     */
    public static DeviceCommand of(String program, String... arguments) {
        List<String> all = new java.util.ArrayList<>(arguments.length + 1);
        all.add(program);
        all.addAll(List.of(arguments));
        return new DeviceCommand(all, Map.of(), Optional.empty(), DEFAULT_TIMEOUT);
    }

    /**
     * A program with arguments given as one list, run with {@link #DEFAULT_TIMEOUT}.
     *
     * @param arguments the program followed by its arguments; at least the program
     * @return the command
     * @throws InvalidConfigurationException when the list is empty, or an argument is null or holds a NUL character
     */
    public static DeviceCommand of(List<String> arguments) {
        return new DeviceCommand(arguments, Map.of(), Optional.empty(), DEFAULT_TIMEOUT);
    }

    /**
     * A copy that sets one more environment variable (replacing an earlier value of the same name).
     *
     * @param name a shell variable name: letters, digits and {@code _}, not starting with a digit
     * @param value the value, passed as it is (quoted by the transport)
     * @return the modified copy
     * @throws InvalidConfigurationException when {@code name} is not a variable name
     */
    public DeviceCommand withEnvironment(String name, String value) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put(name, value);
        return new DeviceCommand(arguments, env, workingDirectory, timeout);
    }

    /**
     * A copy that runs in {@code directory}.
     *
     * @param directory the device directory to change to before running
     * @return the modified copy
     */
    public DeviceCommand inDirectory(String directory) {
        return new DeviceCommand(arguments, environment, Optional.of(directory), timeout);
    }

    /**
     * A copy with another time limit.
     *
     * @param limit positive time after which the program is stopped on the device
     * @return the modified copy
     * @throws InvalidConfigurationException when {@code limit} is null or not positive
     */
    public DeviceCommand withTimeout(Duration limit) {
        return new DeviceCommand(arguments, environment, workingDirectory, limit);
    }

    /**
     * The program's name, for messages.
     *
     * @return the first argument
     */
    public String program() {
        return arguments.get(0);
    }
}
