package dev.fastvlm.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FastVlmCliTest extends CliTest {

    @Test
    void versionComesFromTheBuild() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).matches("fastvlm \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R");
    }

    @Test
    void missingSubcommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).startsWith("fastvlm: missing subcommand");
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("Unmatched argument at index 0: 'frobnicate'");
    }

    @Test
    void aUsageErrorIsTheErrorAndOneLinePointingToHelp() {
        assertThat(run("describe", "--image", "x.png", "--prompt", "hi", "--tempreature", "0.5")).isEqualTo(2);
        String text = err.toString();
        assertThat(text).startsWith("fastvlm describe: ").contains("'--tempreature'").doesNotContain("Usage:")
                .endsWith("Run 'fastvlm describe --help' for the options." + System.lineSeparator());
        assertThat(text.lines().count()).isLessThanOrEqualTo(4);
    }

    @Test
    void everyMissingRequiredOptionIsNamedAtOnce() {
        assertThat(run("describe")).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly(
                "fastvlm describe: Missing required options: '--image=FILE', '--prompt=TEXT'",
                "Run 'fastvlm describe --help' for the options.");
    }

    @Test
    void aNamedSubcommandIsTheOnlyOneRegisteredAndReadsAsWithAllOfThem() {
        CommandLine all = FastVlmCli.commandLine();
        CommandLine describeOnly = FastVlmCli.commandLine("describe", "--image", "x.png");
        assertThat(describeOnly.getSubcommands()).containsOnlyKeys("describe");
        assertThat(describeOnly.getSubcommands().get("describe").getUsageMessage(CommandLine.Help.Ansi.OFF))
                .isEqualTo(all.getSubcommands().get("describe").getUsageMessage(CommandLine.Help.Ansi.OFF));
        assertThat(all.getSubcommands()).containsKeys("help", "describe", "chat", "emulator", "serve", "bundle");
        for (String[] args : List.of(new String[] {"help", "describe"}, new String[] {"frobnicate"},
                new String[] {"--help"}, new String[0])) {
            assertThat(FastVlmCli.commandLine(args).getSubcommands().keySet()).as(String.join(" ", args))
                    .isEqualTo(all.getSubcommands().keySet());
        }
    }

    @Test
    void helpForASubcommandStillWorks() {
        assertThat(run("help", "describe")).isZero();
        assertThat(out.toString()).startsWith("Usage: fastvlm describe");
    }

    @Test
    void everyHelpTextIsWholeAndInUsersWords() {
        List<CommandLine> commands = new ArrayList<>();
        collect(FastVlmCli.commandLine(), commands);
        assertThat(commands).hasSizeGreaterThan(9);
        for (CommandLine command : commands) {
            String usage = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
            String name = command.getCommandSpec().qualifiedName();
            assertThat(usage).as(name).doesNotContainIgnoringCase("seed's").doesNotContainIgnoringCase("seed flow")
                    .doesNotContain("step 7")
                    .doesNotContain("generation.").doesNotContain("minNewTokens").doesNotContain("=<");
            String description = String.join(" ", command.getCommandSpec().usageMessage().description());
            if (!name.equals("fastvlm help")) {
                assertThat(description).as(name + " says what it does in a whole sentence").endsWith(".");
            }
            for (CommandLine.Model.OptionSpec option : command.getCommandSpec().options()) {
                String text = String.join(" ", option.description()).strip();
                assertThat(text).as(name + " " + option.longestName()).isNotEmpty()
                        .matches("(?s).*[.)]$");
            }
        }
    }

    private static void collect(CommandLine command, List<CommandLine> into) {
        into.add(command);
        command.getSubcommands().values().forEach(sub -> collect(sub, into));
    }
}
