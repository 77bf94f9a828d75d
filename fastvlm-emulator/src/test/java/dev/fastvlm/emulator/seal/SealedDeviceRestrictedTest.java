package dev.fastvlm.emulator.seal;

import dev.fastvlm.emulator.Confinement;

/** {@link SealedDeviceTest} with the emulator's restricted shell, the fallback where namespaces are unavailable. */
class SealedDeviceRestrictedTest extends SealedDeviceTest {
    @Override
    Confinement confinement() {
        return Confinement.RESTRICTED;
    }
}
