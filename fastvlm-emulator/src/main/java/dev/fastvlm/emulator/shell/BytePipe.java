package dev.fastvlm.emulator.shell;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;

/**
 * A bounded pipe between threads: any number of writers, one reader. Closing the writing side
 * ends the reader's stream once it has read everything; closing the reading side makes writes
 * fail, as a broken pipe does.
 */
final class BytePipe {
    private static final int CAPACITY = 64 * 1024;

    private final byte[] buffer = new byte[CAPACITY];
    private int start;
    private int count;
    private boolean writerClosed;
    private boolean readerClosed;

    private final InputStream in = new InputStream() {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            synchronized (BytePipe.this) {
                if (len == 0) {
                    return 0;
                }
                while (count == 0 && !writerClosed && !readerClosed) {
                    waitForChange();
                }
                if (count == 0) {
                    return -1;
                }
                int n = Math.min(len, Math.min(count, CAPACITY - start));
                System.arraycopy(buffer, start, b, off, n);
                start = (start + n) % CAPACITY;
                count -= n;
                BytePipe.this.notifyAll();
                return n;
            }
        }

        @Override
        public int available() {
            synchronized (BytePipe.this) {
                return count;
            }
        }

        @Override
        public void close() {
            synchronized (BytePipe.this) {
                readerClosed = true;
                BytePipe.this.notifyAll();
            }
        }
    };

    private final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            synchronized (BytePipe.this) {
                while (len > 0) {
                    while (count == CAPACITY && !readerClosed && !writerClosed) {
                        waitForChange();
                    }
                    if (readerClosed || writerClosed) {
                        throw new IOException("Broken pipe");
                    }
                    int end = (start + count) % CAPACITY;
                    int n = Math.min(len, Math.min(CAPACITY - count, CAPACITY - end));
                    System.arraycopy(b, off, buffer, end, n);
                    count += n;
                    off += n;
                    len -= n;
                    BytePipe.this.notifyAll();
                }
            }
        }

        @Override
        public void close() {
            synchronized (BytePipe.this) {
                writerClosed = true;
                BytePipe.this.notifyAll();
            }
        }
    };

    private void waitForChange() throws InterruptedIOException {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting on a pipe");
        }
    }

    /** Ends the reader's stream once it has read what is buffered. */
    synchronized void closeWriter() {
        writerClosed = true;
        notifyAll();
    }

    /** Makes further writes fail. */
    synchronized void closeReader() {
        readerClosed = true;
        notifyAll();
    }

    InputStream input() {
        return in;
    }

    OutputStream output() {
        return out;
    }
}
