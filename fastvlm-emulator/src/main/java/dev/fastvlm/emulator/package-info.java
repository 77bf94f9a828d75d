/**
 * An emulated Snapdragon phone: {@link dev.fastvlm.emulator.DeviceEmulator} starts one from
 * {@link dev.fastvlm.emulator.EmulatorOptions} (chip, sandbox folder, authorized keys, timing and
 * faults) and serves ADB on a loopback port, for tests and demos without a phone.
 */
package dev.fastvlm.emulator;
