/**
 * Device housekeeping over any transport: {@link dev.fastvlm.core.device.ArtifactSync} pushes model
 * files and SDK libraries to a device directory once (a manifest on the device, a lock between
 * hosts, a digest cache on the host), and {@link dev.fastvlm.core.device.RequestDirectory} gives each
 * request a device directory of its own.
 */
package dev.fastvlm.core.device;
