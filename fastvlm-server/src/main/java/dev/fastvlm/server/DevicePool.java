package dev.fastvlm.server;

import dev.fastvlm.FastVlm;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The server's devices, one warm {@link FastVlm} each, and the bounded queue of requests waiting
 * for one. A request takes the first free device; a device whose program or link failed is taken
 * out, and its own background task opens it again and asks it a small probe question every
 * retry interval until it answers, then puts it back. The pool's one thread does all opening,
 * closing and probing; request threads only wait for devices, which go back as answers end.
 */
final class DevicePool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DevicePool.class);
    private static final AtomicInteger POOLS = new AtomicInteger();

    /** Where a device is in its life. */
    enum State {
        /** Its instance is being built (models synced). */
        OPENING,
        /** Free for the next request. */
        READY,
        /** Answering a request. */
        BUSY,
        /** Taken out after a failure; retried in the background. */
        FAILED,
        /** The pool is closed. */
        CLOSED
    }

    /** One device of the pool. Its fields are guarded by the pool's lock. */
    static final class Device {
        private final String name;
        private final Supplier<FastVlm> opener;
        private FastVlm instance;
        private State state = State.OPENING;
        private String lastError;
        private long served;

        private Device(String name, Supplier<FastVlm> opener) {
            this.name = name;
            this.opener = opener;
        }

        String name() {
            return name;
        }
    }

    /**
     * A device lent to one request; give it back with {@link DevicePool#release}.
     *
     * @param device   the device
     * @param instance its instance at the time it was lent
     */
    record Lease(Device device, FastVlm instance) {
    }

    /**
     * What {@code /health} shows of a device.
     *
     * @param name      the device's name (its serial)
     * @param state     where it is
     * @param lastError the last failure's message, or null
     * @param served    requests it answered
     */
    record DeviceStatus(String name, State state, String lastError, long served) {
    }

    private final List<Device> devices = new ArrayList<>();
    private final Deque<Device> free = new ArrayDeque<>();
    private final int queueLength;
    private final Duration retryInterval;
    private final Consumer<FastVlm> probe;
    private final ServerMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock(true);
    private final Condition available = lock.newCondition();
    private final ScheduledExecutorService thread;
    /** Gives devices back as their answers end; threads live only while there is such work. */
    private final ExecutorService returns;
    private int waiting;
    private boolean closed;

    /**
     * @param openers       each device's name and how to build its instance
     * @param queueLength   most requests waiting for a device
     * @param retryInterval how long a failed device rests before it is opened and probed again
     * @param probe         asks a reopened instance a question; throws when it does not answer
     * @param metrics       where queue length and device states are reported
     */
    DevicePool(List<FastVlmServer.DeviceOpener> openers, int queueLength, Duration retryInterval,
               Consumer<FastVlm> probe, ServerMetrics metrics) {
        for (FastVlmServer.DeviceOpener opener : openers) {
            devices.add(new Device(opener.name(), opener.opener()));
        }
        this.queueLength = queueLength;
        this.retryInterval = retryInterval;
        this.probe = probe;
        this.metrics = metrics;
        int pool = POOLS.incrementAndGet();
        this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "fastvlm-server-devices-" + pool);
            t.setDaemon(true);
            return t;
        });
        this.returns = Executors.newCachedThreadPool(runnable -> {
            Thread t = new Thread(runnable, "fastvlm-server-returns-" + pool);
            t.setDaemon(true);
            return t;
        });
        reportStates();
    }

    /** Where a request's end gives its device back (not the answering thread, which its conversation owns). */
    Executor returns() {
        return returns;
    }

    /**
     * Opens every device, one after another on the pool's thread, and returns when each has either
     * opened or failed once (a failed one keeps being retried).
     */
    void start() {
        List<CompletableFuture<Void>> opened = new ArrayList<>();
        for (Device device : devices) {
            opened.add(CompletableFuture.runAsync(() -> open(device, false), thread));
        }
        CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new)).join();
    }

    /**
     * Waits for a free device until {@code deadlineNanos} ({@link System#nanoTime()}).
     *
     * @throws ApiException 503 when the queue is full or no device can serve, 504 at the deadline
     * @throws InterruptedException when the waiting request is cancelled
     */
    Lease acquire(long deadlineNanos) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            if (closed) {
                throw new ApiException(503, "server_error", null, "shutting_down", "the server is shutting down");
            }
            if (devices.stream().allMatch(d -> d.state == State.FAILED)) {
                throw new ApiException(503, "server_error", null, "no_device",
                        "no device is serving: " + String.join("; ", devices.stream()
                                .map(d -> d.name + ": " + d.lastError).toList()));
            }
            if (free.isEmpty() && waiting >= queueLength) {
                throw new ApiException(503, "server_error", null, "queue_full", "all " + devices.size()
                        + " devices are busy and " + waiting + " requests are waiting (the queue's length is "
                        + queueLength + "): try again later");
            }
            waiting++;
            metrics.queueLength(waiting);
            try {
                while (free.isEmpty()) {
                    long left = deadlineNanos - System.nanoTime();
                    if (closed) {
                        throw new ApiException(503, "server_error", null, "shutting_down", "the server is shutting down");
                    }
                    if (left <= 0) {
                        throw new ApiException(504, "timeout_error", null, "request_timeout",
                                "no device became free before the request's timeout");
                    }
                    available.awaitNanos(left);
                }
            } finally {
                waiting--;
                metrics.queueLength(waiting);
            }
            Device device = free.removeFirst();
            device.state = State.BUSY;
            reportStates();
            return new Lease(device, device.instance);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives a device back after its request.
     *
     * @param lease   the lent device
     * @param failure the request's failure, or null; a device failure takes the device out
     */
    void release(Lease lease, Throwable failure) {
        Device device = lease.device();
        boolean takeOut = failure != null && ApiException.isDeviceFailure(failure);
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (takeOut) {
                device.state = State.FAILED;
                device.lastError = failure.getMessage();
                device.instance = null;
                LOG.warn("device {} taken out of the pool: {}", device.name, failure.getMessage());
                schedule(device, lease.instance());
            } else {
                device.state = State.READY;
                device.served++;
                free.addLast(device);
                available.signal();
            }
            reportStates();
        } finally {
            lock.unlock();
        }
    }

    /** Every device's state, for {@code /health}. */
    List<DeviceStatus> status() {
        lock.lock();
        try {
            return devices.stream().map(d -> new DeviceStatus(d.name, d.state, d.lastError, d.served)).toList();
        } finally {
            lock.unlock();
        }
    }

    /** A ready instance's answer to {@code question}, or the first open one: the model all devices serve. */
    <T> T anyInstance(Function<FastVlm, T> question, T otherwise) {
        FastVlm instance;
        lock.lock();
        try {
            instance = devices.stream().map(d -> d.instance).filter(Objects::nonNull).findFirst().orElse(null);
        } finally {
            lock.unlock();
        }
        return instance == null ? otherwise : question.apply(instance);
    }

    /** Ends waiting requests (503), stops retries, and closes every device's instance. */
    @Override
    public void close() {
        List<FastVlm> instances = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Device device : devices) {
                if (device.instance != null) {
                    instances.add(device.instance);
                }
                device.instance = null;
                device.state = State.CLOSED;
            }
            free.clear();
            available.signalAll();
        } finally {
            lock.unlock();
        }
        thread.shutdownNow();
        returns.shutdown();
        for (FastVlm instance : instances) {
            try {
                instance.close();
            } catch (RuntimeException e) {
                LOG.warn("closing a device's instance failed", e);
            }
        }
        try {
            thread.awaitTermination(1, TimeUnit.MINUTES);
            returns.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes a failed device's old instance and tries it again after the retry interval. */
    private void schedule(Device device, FastVlm failedInstance) {
        thread.execute(() -> closeQuietly(failedInstance));
        thread.schedule(() -> open(device, true), retryInterval.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** On the pool's thread: builds the device's instance (and probes it when retrying), then lends it out. */
    private void open(Device device, boolean probeFirst) {
        FastVlm instance = null;
        try {
            instance = device.opener.get();
            if (probeFirst) {
                probe.accept(instance);
            }
        } catch (RuntimeException e) {
            closeQuietly(instance);
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                device.state = State.FAILED;
                device.lastError = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
                LOG.warn("device {} did not open{}: {}", device.name, probeFirst ? " or answer" : "",
                        device.lastError);
                thread.schedule(() -> open(device, true), retryInterval.toNanos(), TimeUnit.NANOSECONDS);
                reportStates();
            } finally {
                lock.unlock();
            }
            return;
        }
        lock.lock();
        try {
            if (closed) {
                closeQuietly(instance);
                return;
            }
            device.instance = instance;
            device.state = State.READY;
            free.addLast(device);
            available.signal();
            if (probeFirst) {
                LOG.info("device {} answers again: back in the pool", device.name);
            }
            reportStates();
        } finally {
            lock.unlock();
        }
    }

    private static void closeQuietly(FastVlm instance) {
        if (instance == null) {
            return;
        }
        try {
            instance.close();
        } catch (RuntimeException e) {
            LOG.debug("closing a failed instance", e);
        }
    }

    /** Under the lock: how many devices are in each state, for the metrics. */
    private void reportStates() {
        int[] counts = new int[State.values().length];
        devices.forEach(d -> counts[d.state.ordinal()]++);
        metrics.deviceStates(counts);
    }
}
