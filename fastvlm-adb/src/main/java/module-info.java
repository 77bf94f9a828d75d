/**
 * The ADB {@link dev.fastvlm.transport.Transport}: {@link dev.fastvlm.adb.AdbTransport} runs
 * programs on an Android device and moves files to and from it, through the adb server or straight
 * to adbd. It needs the API only, not the pipeline.
 */
module dev.fastvlm.adb {
    requires transitive dev.fastvlm;
    requires dev.fastvlm.adb.protocol;
    requires org.slf4j;
    // TCP_QUICKACK for the sockets to the adb server (ServerLink)
    requires jdk.net;

    exports dev.fastvlm.adb;
}
