package dev.fastvlm.core.pipeline;

import dev.fastvlm.core.embed.VisionEmbeddings;
import dev.fastvlm.core.image.PreprocessedImage;
import dev.fastvlm.core.image.decode.RgbImage;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The vision encoder's rows of the images an instance saw last, by the SHA-256 digest of their
 * preprocessed pixels (size and RGB bytes: the encoder's input layout is the instance's, so equal
 * digests mean equal encoder inputs). At most {@code capacity} entries, the least recently used
 * going first; thread-safe. The rows are immutable, so requests and conversations share them.
 */
final class VisionCache {

    private final int capacity;
    private final Map<Digest, VisionEmbeddings> entries;

    private VisionCache(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Digest, VisionEmbeddings> eldest) {
                return size() > VisionCache.this.capacity;
            }
        };
    }

    /** A cache of {@code capacity} entries; 0 keeps nothing and computes no digest. */
    static VisionCache of(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, was " + capacity);
        }
        return new VisionCache(capacity);
    }

    /**
     * The digest of an image's pixels, when the cache is on; waits for rows still being decoded,
     * since the digest needs them all.
     */
    Optional<Digest> digest(PreprocessedImage pixels) {
        if (capacity == 0) {
            return Optional.empty();
        }
        RgbImage rgb = pixels.complete();
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        sha256.update(ByteBuffer.allocate(8).putInt(rgb.width()).putInt(rgb.height()).array());
        sha256.update(rgb.rgb());
        return Optional.of(new Digest(HexFormat.of().formatHex(sha256.digest())));
    }

    /** The kept rows of the image with this digest, now the most recently used; empty when not kept. */
    synchronized Optional<VisionEmbeddings> get(Optional<Digest> digest) {
        return digest.map(entries::get);
    }

    /** Keeps the rows of the image with this digest, evicting the least recently used beyond the capacity. */
    synchronized void put(Optional<Digest> digest, VisionEmbeddings rows) {
        digest.ifPresent(key -> entries.put(key, rows));
    }

    /** The number of entries kept. */
    synchronized int size() {
        return entries.size();
    }

    /** A SHA-256 digest, in hex. */
    record Digest(String sha256) {
    }
}
