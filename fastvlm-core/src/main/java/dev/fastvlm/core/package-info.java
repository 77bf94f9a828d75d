/**
 * What the whole pipeline module shares: {@link dev.fastvlm.core.DesktopOnly}, the mark on classes
 * that the on-device (Android) path never loads, which the build's Android API check skips.
 */
package dev.fastvlm.core;
