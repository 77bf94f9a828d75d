package dev.fastvlm.core.tensor;

import dev.fastvlm.core.DesktopOnly;

/**
 * Whether this JVM resolved the Vector API's incubator module. Android's runtime has no module
 * layer at all: the lookup then fails to link, which means no. Left out of the Android API check
 * for that reason; nothing else here touches {@code ModuleLayer}.
 */
@DesktopOnly("ModuleLayer: the JDK's module system")
final class VectorModule {

    private VectorModule() {
    }

    static boolean present() {
        try {
            return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        } catch (LinkageError e) {
            return false;
        }
    }
}
