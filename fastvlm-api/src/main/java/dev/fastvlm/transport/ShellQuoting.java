package dev.fastvlm.transport;


import java.util.List;
import java.util.Map;

/**
 * Turns argument lists into device shell command lines. Every argument is single-quoted, the only
 * POSIX quoting inside which no character is special, so file names and prompt text reach the
 * program byte for byte and never run as shell syntax.
 */
public final class ShellQuoting {

    private ShellQuoting() {
    }

    /**
     * {@code it's} becomes {@code 'it'\''s'}: close the quote, an escaped quote, reopen.
     *
     * @param argument any text
     * @return the text in single quotes, which a POSIX shell passes on unchanged as one word
     */
    public static String quote(String argument) {
        return "'" + argument.replace("'", "'\\''") + "'";
    }

    /**
     * The arguments as one shell command line, each quoted with {@link #quote}.
     *
     * @param arguments the program and its arguments
     * @return the command line, words separated by one space
     */
    public static String join(List<String> arguments) {
        StringBuilder line = new StringBuilder();
        for (String argument : arguments) {
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(quote(argument));
        }
        return line.toString();
    }

    /**
     * The shell script that runs {@code command}: it first prints its own PID on a line of its own
     * (so a timeout can kill the program on the device), then enters the working directory, sets
     * the environment and replaces itself with the program, which therefore keeps that PID.
     *
     * @param command the program, arguments, environment and directory to run
     * @return the script, to run with {@code sh -c}
     */
    public static String script(DeviceCommand command) {
        return "echo $$; " + execScript(command);
    }

    /**
     * The part of {@link #script} after the PID line: enter the working directory, set the
     * environment, replace the shell with the program (for runners that know the PID already).
     *
     * @param command the program, arguments, environment and directory to run
     * @return the script, to run with {@code sh -c}
     */
    public static String execScript(DeviceCommand command) {
        StringBuilder script = new StringBuilder();
        command.workingDirectory().ifPresent(dir -> script.append("cd ").append(quote(dir)).append(" || exit 127; "));
        for (Map.Entry<String, String> variable : command.environment().entrySet()) {
            // The name is checked by DeviceCommand to be an identifier, so it needs no quoting.
            script.append("export ").append(variable.getKey()).append('=').append(quote(variable.getValue())).append("; ");
        }
        return script.append("exec ").append(join(command.arguments())).toString();
    }
}
