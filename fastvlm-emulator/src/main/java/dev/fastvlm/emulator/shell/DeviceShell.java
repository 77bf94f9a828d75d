package dev.fastvlm.emulator.shell;

import dev.fastvlm.emulator.Confinement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Runs device command lines, confined to the device's file tree: inside Linux namespaces
 * ({@link NamespaceShell}) or by the emulator's own restricted interpreter ({@link RestrictedShell}).
 */
public interface DeviceShell extends AutoCloseable {
    /**
     * Starts {@code sh -c command} on the device (an interactive shell for an empty command), in
     * {@code /} with the device's environment.
     *
     * @param command     the command line, as {@code adb shell} sends it
     * @param mergeStderr send stderr to stdout, as adbd does for services without the shell protocol
     * @return the running command
     * @throws IOException if it cannot be started
     */
    Process start(String command, boolean mergeStderr) throws IOException;

    /**
     * The confinement in use, {@link Confinement#NAMESPACES} or {@link Confinement#RESTRICTED}.
     *
     * @return the confinement
     */
    Confinement confinement();

    /** Ends every command still running and frees what the shell holds; safe to call again. */
    @Override
    void close();

    /**
     * Opens the shell of the device whose files are under {@code root}, confined as asked; logs which
     * confinement is used (a warning for the restricted one, and why namespaces were not used).
     *
     * @param asked    the confinement asked for
     * @param root     the sandbox folder, the device's {@code /}
     * @param tools    what the emulated tools run with
     * @param launcher starts every host process
     * @return the shell
     * @throws IOException if {@link Confinement#NAMESPACES} is asked for and unavailable, or the
     *                     device's shell files cannot be written
     */
    static DeviceShell open(Confinement asked, Path root, ToolRuntime tools, ProcessLauncher launcher)
            throws IOException {
        Logger log = LoggerFactory.getLogger(DeviceShell.class);
        if (asked != Confinement.RESTRICTED) {
            Optional<String> problem = NamespaceShell.unavailable(launcher);
            if (problem.isEmpty()) {
                NamespaceShell shell;
                try {
                    shell = NamespaceShell.create(root, tools, launcher);
                    problem = shell.probe();
                } catch (IOException e) {
                    shell = null;
                    problem = Optional.of(e.getMessage());
                }
                if (problem.isEmpty()) {
                    log.info("device shell confined by Linux namespaces (bubblewrap): the device tree is its whole"
                            + " file system, no network, uid 2000 (shell)");
                    return shell;
                }
            }
            if (asked == Confinement.NAMESPACES) {
                throw new IOException("the device shell cannot be confined by Linux namespaces: " + problem.get());
            }
            log.warn("Linux namespaces are unavailable ({}): the device shell is the emulator's restricted"
                    + " interpreter (emulated tools and a fixed set of file commands, paths checked inside the"
                    + " device tree); install bubblewrap and allow user namespaces for a full shell", problem.get());
        } else {
            log.warn("device shell restricted as asked: the emulator's interpreter runs only the emulated tools and"
                    + " a fixed set of file commands, paths checked inside the device tree");
        }
        return new RestrictedShell(root, tools, launcher);
    }
}
