/**
 * The transport for running on the device itself: {@link dev.fastvlm.core.local.LocalTransport}
 * runs programs and writes files on this machine, for an app or a shell on the phone.
 */
package dev.fastvlm.core.local;
