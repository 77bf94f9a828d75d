/**
 * Genie in this process (not exported): {@code NativeGenie} binds Qualcomm's {@code libGenie.so}
 * through JNA for the in-process decoder engine, with {@code GenieException} for its status codes.
 */
package dev.fastvlm.core.genie;
