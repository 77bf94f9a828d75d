/** Snapdragon chips, their QNN {@code soc_model} numbers and HTP architectures. */
package dev.fastvlm.genie.soc;
