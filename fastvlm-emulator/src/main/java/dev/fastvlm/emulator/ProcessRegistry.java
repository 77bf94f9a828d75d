package dev.fastvlm.emulator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The emulator's own record of the host processes it started for its services, so that they die
 * with the stream that started them, with the emulator ({@link DeviceEmulator#close()}), and with
 * the JVM (its shutdown hook). Only recorded processes and their descendants are killed: walking
 * the JVM's own descendants would also kill what the rest of the program started (an adb server).
 *
 * <p>It also bounds how many services that run processes (shells, {@code exec:}) run at once,
 * emulator-wide: each holds a {@link Slot} from the OPEN that started it until it ends, and an OPEN
 * finding none free is refused. And it bounds the processes themselves: while any run, a watcher
 * counts the recorded ones and their descendants every 250 ms, and when they are
 * more than four per slot, it kills the processes of the stream that has the
 * most (a command that forks without end).
 *
 * <p>For the code that starts processes (the device shell), the one call is {@link #register}: it
 * runs on the thread that serves the stream, and the process joins that stream's slot.
 */
public final class ProcessRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessRegistry.class);
    private static final ThreadLocal<Slot> SERVING = new ThreadLocal<>();
    private static final long EXIT_WAIT_MILLIS = 2000;
    /** How often the watcher counts the processes. */
    static final long WATCH_MILLIS = 250;
    /** Processes (recorded ones and their descendants) allowed per slot, emulator-wide. */
    static final int PROCESSES_PER_SLOT = 4;

    private final int maxSlots;
    private final Semaphore slots;
    private final Set<Process> live = ConcurrentHashMap.newKeySet();
    private final Set<Slot> active = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    /** Counts processes while any are recorded; guarded by {@code this}. */
    private Thread watcher;

    ProcessRegistry(int maxSlots) {
        if (maxSlots < 1) {
            throw new IllegalArgumentException("the process limit must be at least 1, was " + maxSlots);
        }
        this.maxSlots = maxSlots;
        this.slots = new Semaphore(maxSlots);
    }

    /** {@return whether the current thread serves an emulator stream, so its processes can be recorded} */
    static boolean servesStream() {
        return SERVING.get() != null;
    }

    /**
     * Records a process just started to serve the current stream: it is killed, with its
     * descendants, when that stream closes (from either side), when the emulator closes and when the
     * JVM exits. Must be called on the thread serving the stream.
     *
     * @param process the started process
     * @return {@code process}
     * @throws IllegalStateException if this thread serves no emulator stream, or the emulator is
     *                               closing (the process is killed first)
     */
    public static Process register(Process process) {
        Slot slot = SERVING.get();
        if (slot == null) {
            kill(process);
            throw new IllegalStateException("a device process was started outside a stream of the emulator: killed it");
        }
        slot.add(process);
        return process;
    }

    /**
     * Takes a slot for a service about to start, if one is free.
     *
     * @return the slot, to close when the service ends; empty if {@link #maxSlots()} run already
     */
    Optional<Slot> reserve() {
        if (closed || !slots.tryAcquire()) {
            return Optional.empty();
        }
        Slot slot = new Slot();
        active.add(slot);
        return Optional.of(slot);
    }

    /** @return how many process-running services may run at once */
    int maxSlots() {
        return maxSlots;
    }

    /** @return the recorded processes still running (for tests) */
    int liveProcesses() {
        return (int) live.stream().filter(Process::isAlive).count();
    }

    /**
     * Kills every recorded process and its descendants, refuses further ones, and waits up to two
     * seconds for them to end. Safe to call more than once, from any thread.
     */
    void killAll() {
        closed = true;
        synchronized (this) {
            if (watcher != null) {
                watcher.interrupt();
            }
        }
        for (Process p : live) {
            kill(p);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXIT_WAIT_MILLIS);
        for (Process p : live) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    LOG.warn("device process {} did not end within {} ms of being killed", p.pid(), EXIT_WAIT_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private synchronized void watch() {
        if (watcher == null && !closed) {
            watcher = new Thread(this::watchLoop, "fastvlm-emulator-process-watch");
            watcher.setDaemon(true);
            watcher.start();
        }
    }

    /** Runs while processes are recorded, then ends (a later process starts it again). */
    private void watchLoop() {
        while (!closed) {
            synchronized (this) {
                if (live.isEmpty()) {
                    watcher = null;
                    return;
                }
            }
            try {
                Thread.sleep(WATCH_MILLIS);
            } catch (InterruptedException e) {
                break;
            }
            enforceProcessLimit();
        }
        synchronized (this) {
            watcher = null;
        }
    }

    private void enforceProcessLimit() {
        long total = 0;
        Slot largest = null;
        long largestSize = 0;
        for (Slot slot : active) {
            long size = slot.processCount();
            total += size;
            if (size > largestSize) {
                largest = slot;
                largestSize = size;
            }
        }
        long limit = (long) maxSlots * PROCESSES_PER_SLOT;
        if (total > limit && largest != null) {
            LOG.warn("killing the {} processes of one device command: the emulator ran {} processes, more than its "
                    + "limit of {}", largestSize, total, limit);
            largest.killProcesses();
        }
    }

    /** Descendants first, so that none is re-parented out of reach while its parent dies. */
    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** One running service's right to start processes, and the processes it started. */
    final class Slot implements AutoCloseable {
        private final Set<Process> processes = ConcurrentHashMap.newKeySet();
        private final AtomicBoolean released = new AtomicBoolean();
        private volatile boolean ended;

        private Slot() {
        }

        /**
         * Makes this the slot of the processes the current thread registers, until {@link #close()}.
         */
        void bindToCurrentThread() {
            SERVING.set(this);
        }

        private void add(Process process) {
            // Ended processes are dropped here, not through Process.onExit(): its completion runs on a new
            // unnamed JDK thread per process where the common pool has one thread (one or two cores).
            live.removeIf(p -> !p.isAlive());
            processes.removeIf(p -> !p.isAlive());
            processes.add(process);
            live.add(process);
            if (ended || closed) {
                kill(process);
                throw new IllegalStateException("the stream or the emulator closed while a device process started: killed it");
            }
            watch();
        }

        /** @return the slot's running processes and their descendants */
        private long processCount() {
            return processes.stream().filter(Process::isAlive).mapToLong(p -> 1 + p.descendants().count()).sum();
        }

        /** Kills the processes of this slot and their descendants (the stream closed). */
        void killProcesses() {
            ended = true;
            processes.forEach(ProcessRegistry::kill);
        }

        /** Kills what is left of the slot's processes and frees the slot. */
        @Override
        public void close() {
            if (SERVING.get() == this) {
                SERVING.remove();
            }
            killProcesses();
            if (released.compareAndSet(false, true)) {
                active.remove(this);
                slots.release();
            }
        }
    }
}
