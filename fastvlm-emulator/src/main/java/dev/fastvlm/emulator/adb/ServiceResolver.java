package dev.fastvlm.emulator.adb;

import java.util.Optional;

/** Maps the service string of an OPEN message ({@code shell,v2,raw:ls}, {@code sync:}) to its handler. */
@FunctionalInterface
public interface ServiceResolver {
    /**
     * Empty when the device does not offer the service: the OPEN is answered with CLSE.
     *
     * @param service the service string the client sent
     * @return the handler, or empty for an unknown service
     */
    Optional<StreamHandler> resolve(String service);
}
