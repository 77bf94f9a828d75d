package dev.fastvlm.emulator.adb;

import java.util.Optional;

/** Maps the service string of an OPEN message ({@code shell,v2,raw:ls}, {@code sync:}) to its handler. */
@FunctionalInterface
public interface ServiceResolver {
    /** Empty when the device does not offer the service: the OPEN is answered with CLSE. */
    Optional<StreamHandler> resolve(String service);
}
