/** QNN tensors and the context-binary info JSON of {@code qnn-context-binary-utility}. */
package dev.fastvlm.genie.qnn;
