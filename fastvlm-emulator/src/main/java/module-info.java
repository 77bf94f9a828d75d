/**
 * An emulated Snapdragon phone for tests and demos: an ADB server with shell and sync, a
 * sandboxed device file system, and the QAIRT and Genie programs emulated in the JVM. Users start
 * it ({@code dev.fastvlm.emulator}) and make emulated model bundles and SDKs
 * ({@code dev.fastvlm.emulator.model}, {@code dev.fastvlm.emulator.tools}); the ADB server, the
 * shell and the file system are internal.
 */
module dev.fastvlm.emulator {
    requires transitive dev.fastvlm;
    requires transitive dev.fastvlm.genie;
    requires dev.fastvlm.adb.protocol;
    requires com.fasterxml.jackson.databind;
    requires ai.djl.tokenizers;
    requires com.sun.jna;
    requires org.slf4j;

    exports dev.fastvlm.emulator;
    exports dev.fastvlm.emulator.model;
    exports dev.fastvlm.emulator.tools;

    // JNA calls the C library (openat) through an interface it reads by reflection
    opens dev.fastvlm.emulator.fs to com.sun.jna;
}
