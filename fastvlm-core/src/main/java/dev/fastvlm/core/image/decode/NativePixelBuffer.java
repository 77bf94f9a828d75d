package dev.fastvlm.core.image.decode;

import dev.fastvlm.core.DesktopOnly;
import com.sun.jna.Memory;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Native memory for libjpeg-turbo to decode into, with one buffer of up to {@value #KEEP_MIB} MiB
 * kept for the next image. Writing into freshly allocated memory costs the kernel a page fault and
 * a zeroed page every 4 KiB: measured here, a third of a 12-megapixel decode (73 ms fresh, 50 ms
 * into a reused buffer). The price is that much native memory held between images.
 */
@DesktopOnly("libjpeg-turbo's output buffer")
final class NativePixelBuffer implements AutoCloseable {
    private static final int KEEP_MIB = 64;
    private static final AtomicReference<Memory> SPARE = new AtomicReference<>();

    private final Memory memory;

    private NativePixelBuffer(Memory memory) {
        this.memory = memory;
    }

    /** At least {@code bytes} bytes; the spare buffer if it is large enough, else a new one. */
    static NativePixelBuffer borrow(long bytes) {
        Memory spare = SPARE.getAndSet(null);
        if (spare != null && spare.size() >= bytes) {
            return new NativePixelBuffer(spare);
        }
        if (spare != null) {
            spare.close();
        }
        return new NativePixelBuffer(new Memory(bytes));
    }

    Memory memory() {
        return memory;
    }

    /** Keeps the buffer as the spare if there is none and it is not too large; frees it otherwise. */
    @Override
    public void close() {
        if (memory.size() > (long) KEEP_MIB << 20 || !SPARE.compareAndSet(null, memory)) {
            memory.close();
        }
    }
}
