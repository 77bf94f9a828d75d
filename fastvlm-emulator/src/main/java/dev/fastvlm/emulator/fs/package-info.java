/**
 * The emulated device's storage (not exported): device paths confined to a host folder, walked by
 * directory descriptor, and the {@code sync:} service over it.
 */
package dev.fastvlm.emulator.fs;
