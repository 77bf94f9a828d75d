/**
 * Emulated QAIRT programs: {@link dev.fastvlm.emulator.tools.EmulatedSdk} writes an SDK folder laid
 * out like the real one, whose programs ({@code qnn-net-run}, {@code genie-t2t-run},
 * {@code qnn-context-binary-utility}) run as JVM programs with the real tools' flags and outputs.
 */
package dev.fastvlm.emulator.tools;
