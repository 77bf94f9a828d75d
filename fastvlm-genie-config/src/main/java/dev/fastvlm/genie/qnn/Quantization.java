package dev.fastvlm.genie.qnn;

import java.util.Arrays;

/**
 * How a fixed-point tensor maps to real numbers, in QNN's convention
 * {@code float = (q + offset) * scale} (QNN's offset is the negative zero point).
 */
public sealed interface Quantization {

    /**
     * One scale and offset for the whole tensor.
     *
     * @param scale the step between adjacent quantized values, finite and &gt; 0
     * @param offset added to the quantized value before scaling
     * @return the quantization
     * @throws IllegalArgumentException when {@code scale} is not a finite number &gt; 0
     */
    static PerTensor perTensor(float scale, int offset) {
        return new PerTensor(scale, offset);
    }

    /**
     * @param scale  the step between adjacent quantized values, &gt; 0
     * @param offset added to the quantized value before scaling
     */
    record PerTensor(float scale, int offset) implements Quantization {
        /**
         * Checks the scale.
         *
         * @param scale the step between adjacent quantized values, &gt; 0
         * @param offset added to the quantized value before scaling
         * @throws IllegalArgumentException when {@code scale} is not a finite number &gt; 0
         */
        public PerTensor {
            if (!(scale > 0) || !Float.isFinite(scale)) {
                throw new IllegalArgumentException("quantization scale must be a finite number > 0, was " + scale);
            }
        }
    }

    /**
     * A scale and offset per index of one axis (QNN's axis scale-offset encoding).
     *
     * @param axis    the tensor axis the parameters run along
     * @param scales  one scale per index of that axis
     * @param offsets one offset per index of that axis
     */
    record PerAxis(int axis, float[] scales, int[] offsets) implements Quantization {
        /**
         * Checks the parameters and copies the arrays.
         *
         * @param axis the tensor axis the parameters run along
         * @param scales one scale per index of that axis
         * @param offsets one offset per index of that axis
         * @throws IllegalArgumentException when the axis is negative, the arrays are empty or of different lengths,
         *     or a scale is not a finite number &gt; 0
         */
        public PerAxis {
            if (axis < 0) {
                throw new IllegalArgumentException("quantization axis must be >= 0, was " + axis);
            }
            if (scales.length == 0 || scales.length != offsets.length) {
                throw new IllegalArgumentException("per-axis quantization needs as many offsets as scales, got "
                        + scales.length + " scales and " + offsets.length + " offsets");
            }
            for (int i = 0; i < scales.length; i++) {
                if (!(scales[i] > 0) || !Float.isFinite(scales[i])) {
                    throw new IllegalArgumentException("quantization scale " + i + " must be a finite number > 0, was "
                            + scales[i]);
                }
            }
            scales = scales.clone();
            offsets = offsets.clone();
        }

        /**
         * The scales, one per index of the axis.
         *
         * @return a copy, so the record stays immutable
         */
        @Override
        public float[] scales() {
            return scales.clone();
        }

        /**
         * The offsets, one per index of the axis.
         *
         * @return a copy, so the record stays immutable
         */
        @Override
        public int[] offsets() {
            return offsets.clone();
        }

        /**
         * The number of indices along the axis, each with its own scale and offset.
         *
         * @return the length of {@link #scales()}
         */
        public int channels() {
            return scales.length;
        }

        /**
         * The scale of one index along the axis, without copying the array.
         *
         * @param channel an index along the axis, from 0 to {@link #channels()} - 1
         * @return the channel's scale
         */
        public float scale(int channel) {
            return scales[channel];
        }

        /**
         * The offset of one index along the axis, without copying the array.
         *
         * @param channel an index along the axis, from 0 to {@link #channels()} - 1
         * @return the channel's offset
         */
        public int offset(int channel) {
            return offsets[channel];
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PerAxis other && axis == other.axis && Arrays.equals(scales, other.scales)
                    && Arrays.equals(offsets, other.offsets);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * axis + Arrays.hashCode(scales)) + Arrays.hashCode(offsets);
        }

        @Override
        public String toString() {
            return "PerAxis[axis=" + axis + ", channels=" + scales.length + "]";
        }
    }
}
