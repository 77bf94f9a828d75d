/**
 * Step 2 of the FastVLM flow: an image becomes the vision encoder's input file, byte for byte as
 * the reference Python (PIL) writes it. Entry point: {@link dev.fastvlm.core.image.ImagePreprocessor}.
 * Regenerate the PIL goldens the tests use with {@code src/test/scripts/make_image_goldens.py}.
 */
package dev.fastvlm.core.image;
