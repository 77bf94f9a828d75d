/**
 * The device side of the ADB protocol (not exported): the loopback listener, one connection's
 * handshake, authentication ({@code adb_keys}) and multiplexed streams, and the services streams
 * are resolved to.
 */
package dev.fastvlm.emulator.adb;
