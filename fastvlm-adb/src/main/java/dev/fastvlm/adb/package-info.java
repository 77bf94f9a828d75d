/**
 * The ADB {@link dev.fastvlm.transport.Transport}: {@link dev.fastvlm.adb.AdbTransport} runs
 * programs on an Android device and moves files to and from it in process, with one ADB client for
 * both connection kinds: through the local adb server (its smart-socket protocol, then the sync and
 * shell v2 services on the socket it hands over) or straight to adbd over TCP (the transport
 * protocol with its AUTH handshake, skipping the payload checksums adbd 7+ ignores).
 *
 * <ul>
 *   <li>{@link dev.fastvlm.adb.AdbTransport#connect()}, {@link dev.fastvlm.adb.AdbTransport#connect(String)},
 *       {@link dev.fastvlm.adb.AdbTransport#direct(String, int)} and
 *       {@link dev.fastvlm.adb.AdbTransport#builder()} choose the device;</li>
 *   <li>{@link dev.fastvlm.adb.AdbTransport#writeAll} sends a batch of files through one sync
 *       session and at most one rename;</li>
 *   <li>{@link dev.fastvlm.transport.DeviceScripts} and {@link dev.fastvlm.transport.ShellQuoting}
 *       (in fastvlm-api, beside the {@code Transport} contract) write the shell lines it runs, so
 *       this module needs nothing of the pipeline in fastvlm-core; fastvlm-core's
 *       {@code ArtifactSync} and {@code RequestDirectory} then use any transport to push model files
 *       once per device and give each request its own device folder;</li>
 *   <li>{@link dev.fastvlm.adb.DeviceFacts} says which chip the device has.</li>
 * </ul>
 */
package dev.fastvlm.adb;
