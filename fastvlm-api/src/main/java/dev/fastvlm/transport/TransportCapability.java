package dev.fastvlm.transport;

/**
 * What a {@link Transport} offers beyond its contract, which the library asks through
 * {@link Transport#capabilities()} instead of testing the transport's class.
 */
public enum TransportCapability {
    /**
     * The device is the machine this JVM runs on: device paths are this process's own files, so a
     * library pushed to the device can be loaded into this process (what
     * {@link dev.fastvlm.DecoderEngine#IN_PROCESS} needs).
     */
    DEVICE_IS_THIS_MACHINE
}
