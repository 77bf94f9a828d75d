/**
 * ADB's wire format, AUTH signature and key files, written once for the ADB client
 * ({@code dev.fastvlm.adb}) and the emulated adbd ({@code dev.fastvlm.emulator}). JDK only: the
 * emulator depends on it and stays independent of the library.
 */
module dev.fastvlm.adb.protocol {
    exports dev.fastvlm.adb.protocol;
}
