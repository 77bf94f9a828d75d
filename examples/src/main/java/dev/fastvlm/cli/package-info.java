/**
 * The {@code fastvlm} command line: {@code describe}, {@code emulator}, {@code preprocess},
 * {@code tokenize}, {@code combine}, {@code genie-config} and {@code inspect-context}, each a picocli
 * command over the library's modules.
 */
package dev.fastvlm.cli;
