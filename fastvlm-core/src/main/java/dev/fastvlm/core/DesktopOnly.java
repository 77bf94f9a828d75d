package dev.fastvlm.core;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class that calls Java SE APIs Android does not have ({@code javax.imageio},
 * {@code java.awt}, process handles, the module layer, the Vector API) and that the on-device
 * path never loads: the desktop image decoders, and the JDK halves of classes that check at run
 * time what the runtime offers. The build's Android API check (Animal Sniffer, docs/android.md)
 * skips the classes marked with it and checks every other class of the on-device modules.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface DesktopOnly {

    /**
     * Why the class is off the on-device path.
     *
     * @return a short reason, for readers
     */
    String value();
}
