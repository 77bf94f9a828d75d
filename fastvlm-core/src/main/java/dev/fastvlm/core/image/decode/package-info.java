/**
 * Decoders: encoded bytes become RGB pixels with the semantics of PIL's
 * {@code Image.open(f).convert("RGB")}, checked against the decompression-bomb limit before any
 * pixel is decoded. {@link dev.fastvlm.core.image.decode.StandardDecoder} picks one by the file's
 * first bytes ({@code ImageFormat}):
 * <ul>
 *   <li>JPEG: libjpeg-turbo (PIL's own JPEG decoder) through JNA ({@code TurboJpegDecoder}) when
 *       the system has {@code libturbojpeg}; its output stays outside the heap
 *       ({@code NativePixelBuffer}) and, for a large image, the resampler reads the rows it has
 *       finished ({@code ScanlineWatch}).</li>
 *   <li>PNG, 8-bit non-interlaced grey, grey+alpha, RGB and RGBA: the project's own decoder
 *       ({@code PngDecoder} over {@code IdatStream}), in one of three ways:
 *     <ol>
 *       <li>whole, on the calling thread: an image of fewer than 512 x 512 pixels, or one the consumer
 *           keeps whole rather than reads row by row (already at the output size);</li>
 *       <li>RGB, large: a pool thread only inflates, and the reading thread checks and unfilters
 *           each row in place as it first awaits it ({@code PngRows}), so the two halves of PNG
 *           decoding run on two cores;</li>
 *       <li>grey, grey+alpha and RGBA, large: a pool thread decodes whole rows and converts them
 *           to RGB, and a {@code RowGate} tells the reader how far it has got.</li>
 *     </ol>
 *       A PNG already at the output size is streamed to the device through path 2 or 3
 *       ({@link dev.fastvlm.core.image.decode.StandardDecoder#pngArriving}).</li>
 *   <li>Everything else (GIF, BMP, TIFF, WebP, 16-bit, palette or interlaced PNG, JPEG without
 *       libjpeg-turbo): ImageIO with the TwelveMonkeys plugins ({@code ImageIoDecoder}), also
 *       available alone as {@link dev.fastvlm.core.image.decode.ImageDecoder#imageIo()}.</li>
 * </ul>
 * Rows decoded on a pool thread ({@code DecodeThreads}) reach the reader as
 * {@link dev.fastvlm.core.image.decode.SourcePixels} with an
 * {@link dev.fastvlm.core.image.decode.ArrivingRows}; every loop stops between rows when its
 * request is cancelled or past its deadline ({@link dev.fastvlm.core.image.decode.StopCheck}).
 * Only what {@code dev.fastvlm.core.image} calls is public.
 */
package dev.fastvlm.core.image.decode;
