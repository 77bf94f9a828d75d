/**
 * The decoder's input sequence (not exported): the text rows from the token embedding table
 * ({@code LUT.bin}), the vision encoder's rows, and the two spliced and written in the decoder's
 * embedding type.
 */
package dev.fastvlm.core.embed;
