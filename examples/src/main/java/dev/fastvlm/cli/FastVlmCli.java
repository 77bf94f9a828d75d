package dev.fastvlm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;

/**
 * The {@code fastvlm} command-line tool: one subcommand per capability of the library.
 * Errors end with a non-zero exit code and one line on stderr that names the problem.
 */
@Command(name = "fastvlm",
        mixinStandardHelpOptions = true,
        versionProvider = FastVlmCli.Version.class,
        description = "Run Apple's FastVLM on a Qualcomm Snapdragon NPU, or on the built-in emulator.")
public final class FastVlmCli implements Runnable {

    /** The subcommands, in the order the help lists them. */
    private static final List<Class<?>> SUBCOMMANDS = List.of(CommandLine.HelpCommand.class, DescribeCommand.class,
            ChatCommand.class, CombineCommand.class, TokenizeCommand.class, PreprocessCommand.class,
            EmulatorCommand.class, ServeCommand.class, GenieConfigCommand.class, InspectContextCommand.class,
            BundleCommand.class);

    /** The system property that chooses JBoss Logging's back end. */
    private static final String JBOSS_LOGGING_PROVIDER = "org.jboss.logging.provider";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Undertow (fastvlm serve) logs through JBoss Logging, which would otherwise pick
        // java.util.logging and print its version banners: send it to SLF4J, quiet like the rest.
        if (System.getProperty(JBOSS_LOGGING_PROVIDER) == null) {
            System.setProperty(JBOSS_LOGGING_PROVIDER, "slf4j");
        }
        System.exit(commandLine(args).execute(args));
    }

    /** The configured command line with every subcommand (for help and the tests that walk them all). */
    static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The configured command line for {@code args}, shared by {@link #main} and the tests. When the
     * first argument names a subcommand (other than {@code help}), only that one is registered:
     * picocli reads every registered command's annotations up front, and reading all eleven took
     * 0.12 s more of a one-shot {@code describe}'s start (0.33 s instead of 0.21 s to the parsed
     * command line, with class data sharing). Anything else (no subcommand, an unknown one, {@code help}, an
     * option) gets them all, so that help, suggestions and errors list everything.
     */
    static CommandLine commandLine(String... args) {
        String first = args.length > 0 ? args[0] : "";
        boolean chosen = !first.equals("help") && SUBCOMMANDS.stream().anyMatch(sub -> nameOf(sub).equals(first));
        CommandLine cli = new CommandLine(new FastVlmCli());
        for (Class<?> sub : SUBCOMMANDS) {
            if (!chosen || nameOf(sub).equals(first)) {
                cli.addSubcommand(sub);
            }
        }
        // after the subcommands: picocli hands these to the commands registered at the time of the call
        return cli.setExecutionExceptionHandler(new OneLineErrors())
                .setParameterExceptionHandler(new ShortUsageErrors());
    }

    private static String nameOf(Class<?> subcommand) {
        return subcommand.getAnnotation(Command.class).name();
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }

    /** Reports a failed subcommand as one line naming the problem, instead of a stack trace. */
    static final class OneLineErrors implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            return 1;
        }
    }

    /**
     * Reports a usage error (a missing or unknown option, a bad value) as the error, any "did you
     * mean" suggestion, and one line pointing to the command's {@code --help}, instead of the whole
     * help text.
     */
    static final class ShortUsageErrors implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException e, String[] args) {
            CommandLine cmd = e.getCommandLine();
            String name = cmd.getCommandSpec().qualifiedName();
            cmd.getErr().println(name + ": " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, cmd.getErr());
            cmd.getErr().println("Run '" + name + " --help' for the options.");
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        }
    }

    /** The version Maven stamped into {@code fastvlm-cli.properties}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties properties = new Properties();
            try (InputStream in = FastVlmCli.class.getResourceAsStream("/fastvlm-cli.properties")) {
                properties.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new String[] {"fastvlm " + properties.getProperty("version")};
        }
    }
}
