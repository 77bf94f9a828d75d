package dev.fastvlm;

/** How an image of any shape becomes the vision encoder's square input (PIL bicubic in every case). */
public enum ResizePolicy {
    /** Resize to size x size, ignoring the aspect ratio: the seed flow's default. */
    STRETCH,
    /** Centre the image on a black square first (FastVLM's {@code expand2square}), then resize. */
    PAD_TO_SQUARE,
    /** Resize the shorter edge to size, then crop the centre (HuggingFace image processors). */
    CENTER_CROP
}
