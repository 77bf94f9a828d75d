/** Short programs that show the API: one describe, a streamed answer, a batch of captions. */
package dev.fastvlm.examples;
