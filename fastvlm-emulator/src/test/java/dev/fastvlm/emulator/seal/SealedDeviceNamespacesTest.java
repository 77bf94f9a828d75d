package dev.fastvlm.emulator.seal;

import dev.fastvlm.emulator.Confinement;

/** {@link SealedDeviceTest} with the shell in Linux namespaces (bubblewrap): CI installs it, so it must work. */
class SealedDeviceNamespacesTest extends SealedDeviceTest {
    @Override
    Confinement confinement() {
        return Confinement.NAMESPACES;
    }
}
