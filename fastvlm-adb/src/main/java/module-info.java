/**
 * The ADB {@link dev.fastvlm.transport.Transport}: {@link dev.fastvlm.adb.AdbTransport} runs
 * programs on an Android device and moves files to and from it, through the adb server or straight
 * to adbd. It needs the API only, not the pipeline.
 */
module dev.fastvlm.adb {
    requires transitive dev.fastvlm;
    requires org.slf4j;
    // dadb (the adb-server client) and its okio, both automatic modules
    requires dadb;
    requires okio;

    exports dev.fastvlm.adb;
}
