/**
 * Step 2 of the FastVLM flow: an image becomes the vision encoder's input file, byte for byte as
 * the reference Python (PIL) writes it. Entry point: {@link dev.fastvlm.core.image.ImagePreprocessor},
 * which decodes through {@code dev.fastvlm.core.image.decode}, resizes with PIL's exact bicubic
 * filter ({@code BicubicResampler}, reading rows while a decoder still writes them) and lays the
 * result out as {@link dev.fastvlm.core.image.OutputLayout} says ({@link dev.fastvlm.core.image.PreprocessedImage}).
 * Regenerate the PIL goldens the tests use with {@code src/test/scripts/make_image_goldens.py}.
 */
package dev.fastvlm.core.image;
