/**
 * ADB's wire format and keys, written once for both ends of the protocol: the ADB client in
 * {@code fastvlm-adb} and the emulated adbd in {@code fastvlm-emulator}.
 *
 * <ul>
 *   <li>{@link dev.fastvlm.adb.protocol.AdbMessage}: one transport-protocol message (AOSP
 *       {@code protocol.txt}): its commands, header and checks;</li>
 *   <li>{@link dev.fastvlm.adb.protocol.AdbAuthToken}: how a host signs adbd's AUTH token and how
 *       adbd verifies it;</li>
 *   <li>{@link dev.fastvlm.adb.protocol.AndroidPublicKey} and
 *       {@link dev.fastvlm.adb.protocol.AdbKeyFiles}: adb's key files ({@code adbkey},
 *       {@code adbkey.pub}).</li>
 * </ul>
 *
 * <p>JDK only: the emulator depends on this module and on nothing of the library.
 */
package dev.fastvlm.adb.protocol;
