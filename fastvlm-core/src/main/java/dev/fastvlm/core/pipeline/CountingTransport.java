package dev.fastvlm.core.pipeline;

import dev.fastvlm.transport.CommandResult;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;
import dev.fastvlm.transport.TransferListener;
import dev.fastvlm.transport.Transport;
import dev.fastvlm.transport.TransportCapability;
import dev.fastvlm.transport.Upload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** A view of a transport that counts the bytes one request moves, for its statistics. */
final class CountingTransport implements Transport {

    private final Transport delegate;
    private final AtomicLong pushed = new AtomicLong();
    private final AtomicLong pulled = new AtomicLong();

    CountingTransport(Transport delegate) {
        this.delegate = delegate;
    }

    @Override
    public String target() {
        return delegate.target();
    }

    @Override
    public void writeAll(List<Upload> uploads, TransferListener progress) {
        delegate.writeAll(uploads, progress);
        pushed.addAndGet(uploads.stream().mapToLong(Upload::length).sum());
    }

    @Override
    public void pull(String devicePath, Path hostFile, TransferListener progress) {
        delegate.pull(devicePath, hostFile, progress);
        try {
            pulled.addAndGet(Files.size(hostFile));
        } catch (IOException e) {
            throw new UncheckedIOException("pulled file vanished: " + hostFile, e);
        }
    }

    @Override
    public byte[] read(String devicePath, int maxBytes) {
        byte[] content = delegate.read(devicePath, maxBytes);
        pulled.addAndGet(content.length);
        return content;
    }

    @Override
    public CommandResult run(DeviceCommand command, OutputListener output) {
        return delegate.run(command, output);
    }

    @Override
    public Set<TransportCapability> capabilities() {
        return delegate.capabilities();
    }

    /** Does not close the shared transport: the instance owns it, not the request. */
    @Override
    public void close() {
    }

    long bytesPushed() {
        return pushed.get();
    }

    long bytesPulled() {
        return pulled.get();
    }
}
