/**
 * The emulated device's shell (not exported): {@code shell:}, {@code exec:} and {@code shell,v2:}
 * services, run in Linux namespaces (bubblewrap) or, where those are unavailable, in a restricted
 * shell that interprets a POSIX subset itself; the device's properties and process launching.
 */
package dev.fastvlm.emulator.shell;
