package dev.fastvlm.emulator;

import dev.fastvlm.emulator.tools.EmulatedTools;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The class path the emulated tools' JVMs run with, found from where this JVM actually loaded the
 * emulator from, not from {@code java.class.path}: under {@code mvn exec:java}, an IDE, a test
 * runner or an application server that property names the launcher, not the emulator.
 *
 * <p>In order: the code locations of the tools' own classes and of the libraries they call (so the
 * emulator and its direct dependencies are found in any layout whose entries are files or
 * folders), then every entry of the {@link URLClassLoader}s that loaded the emulator (their
 * transitive dependencies, e.g. under {@code exec:java}), then {@code java.class.path} when the
 * emulator came from the application class loader. Entries are absolute (the tools run inside the
 * sandbox) and given once.
 */
final class ToolClasspath {
    /**
     * A class of each library the emulated tools load, named (some are only transitive dependencies
     * of this module): the jar or folder each comes from goes on the path.
     */
    private static final String[] ANCHORS = {"dev.fastvlm.emulator.tools.EmulatedTools", "dev.fastvlm.FastVlm",
            "dev.fastvlm.genie.qnn.TensorSpec", "com.fasterxml.jackson.databind.ObjectMapper",
            "com.fasterxml.jackson.core.JsonFactory", "com.fasterxml.jackson.annotation.JsonProperty",
            "ai.djl.huggingface.tokenizers.HuggingFaceTokenizer", "ai.djl.util.Utils", "com.google.gson.Gson",
            "org.slf4j.LoggerFactory"};

    private ToolClasspath() {
    }

    static String current() {
        return String.join(File.pathSeparator, entries(EmulatedTools.class.getClassLoader(),
                System.getProperty("java.class.path", "")));
    }

    static Set<String> entries(ClassLoader loader, String javaClassPath) {
        Set<String> entries = new LinkedHashSet<>();
        for (String anchor : ANCHORS) {
            location(anchor, loader).ifPresent(entries::add);
        }
        ClassLoader application = ClassLoader.getSystemClassLoader();
        boolean fromApplicationLoader = false;
        for (ClassLoader l = loader; l != null; l = l.getParent()) {
            if (l == application) {
                fromApplicationLoader = true;
            }
            if (l instanceof URLClassLoader urls) {
                for (URL url : urls.getURLs()) {
                    file(url).ifPresent(entries::add);
                }
            }
        }
        if (fromApplicationLoader) {
            for (String entry : javaClassPath.split(File.pathSeparator)) {
                if (!entry.isEmpty()) {
                    entries.add(Path.of(entry).toAbsolutePath().normalize().toString());
                }
            }
        }
        return entries;
    }

    /**
     * A name for what the tools' JVMs run: the JDK of {@code javaCommand} and each class path
     * entry, by path, size and modification time, hashed.
     */
    static String stamp(String javaCommand, String classpath) {
        StringBuilder what = new StringBuilder(javaCommand);
        List<Path> files = new ArrayList<>();
        try {
            Path java = Path.of(javaCommand).isAbsolute() ? Path.of(javaCommand).toRealPath() : null;
            if (java != null && java.getParent() != null && java.getParent().getParent() != null) {
                files.add(java.getParent().getParent().resolve("lib/server/libjvm.so"));
                files.add(java.getParent().getParent().resolve("lib/modules"));
            }
        } catch (IOException e) {
            // a java found through PATH: named by its command alone
        }
        for (String entry : classpath.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                files.add(Path.of(entry));
            }
        }
        for (Path file : files) {
            what.append('|').append(file);
            try {
                what.append(':').append(Files.size(file)).append(':').append(Files.getLastModifiedTime(file).toMillis());
            } catch (IOException e) {
                what.append(":-");
            }
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(what.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Optional<String> location(String className, ClassLoader loader) {
        Class<?> type;
        try {
            type = Class.forName(className, false, loader);
        } catch (ClassNotFoundException e) {
            return Optional.empty();
        }
        CodeSource source = type.getProtectionDomain().getCodeSource();
        return source == null || source.getLocation() == null ? Optional.empty() : file(source.getLocation());
    }

    /** A {@code file:} URL's absolute path when it names an existing jar or folder (not a nested jar). */
    private static Optional<String> file(URL url) {
        if (!"file".equals(url.getProtocol())) {
            return Optional.empty();
        }
        try {
            Path path = Path.of(url.toURI()).toAbsolutePath().normalize();
            return Files.exists(path) ? Optional.of(path.toString()) : Optional.empty();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
