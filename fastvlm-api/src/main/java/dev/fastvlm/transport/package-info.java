/**
 * How the library reaches a device: the {@link dev.fastvlm.transport.Transport} contract (run a
 * program, move files) with its commands, results, listeners and the per-thread
 * {@link dev.fastvlm.transport.Deadline}, and what every transport needs on the device besides:
 * {@link dev.fastvlm.transport.ShellQuoting} (argument lists as POSIX shell lines) and
 * {@link dev.fastvlm.transport.DeviceScripts} (small housekeeping scripts). A third-party transport
 * needs this package only, not the pipeline.
 */
package dev.fastvlm.transport;
