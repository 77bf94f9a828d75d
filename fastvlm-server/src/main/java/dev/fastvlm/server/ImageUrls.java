package dev.fastvlm.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fastvlm.ImageInput;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns a request's {@code image_url} into an image: a {@code data:} URL always; a local file only
 * when the server was given a folder to read from, and then only a file inside it (symbolic links
 * resolved first). The server fetches nothing from the network.
 */
final class ImageUrls {

    private final long maxImageBytes;
    private final Optional<Path> allowedFolder;

    /**
     * @param maxImageBytes most bytes of one encoded image
     * @param allowedFolder the folder local paths may name (its real path), or empty for none
     */
    ImageUrls(long maxImageBytes, Optional<Path> allowedFolder) {
        this.maxImageBytes = maxImageBytes;
        this.allowedFolder = allowedFolder;
    }

    /**
     * Reads one {@code image_url} object ({@code {"url": ..., "detail": ...}}) or bare URL string.
     *
     * @param imageUrl the request's value
     * @param param    where it is in the request, for errors
     * @return the image
     * @throws ApiException 400 naming {@code param} and the problem
     */
    ImageInput read(JsonNode imageUrl, String param) {
        JsonNode urlNode = imageUrl.isTextual() ? imageUrl : imageUrl.path("url");
        if (!urlNode.isTextual() || urlNode.asText().isEmpty()) {
            throw ApiException.invalid(param + ".url", param + ".url must be a data: URL such as data:image/png;base64,...");
        }
        String url = urlNode.asText();
        if (url.regionMatches(true, 0, "data:", 0, 5)) {
            return dataUrl(url, param + ".url");
        }
        if (url.regionMatches(true, 0, "http:", 0, 5) || url.regionMatches(true, 0, "https:", 0, 6)) {
            throw ApiException.invalid(param + ".url", param + ".url: this server fetches nothing from the network;"
                    + " send the image as a data: URL");
        }
        return localFile(url, param + ".url");
    }

    private ImageInput dataUrl(String url, String param) {
        int comma = url.indexOf(',');
        String header = comma < 0 ? "" : url.substring(5, comma);
        if (comma < 0 || !header.toLowerCase(Locale.ROOT).endsWith(";base64")) {
            throw ApiException.invalid(param, param + ": a data: URL must be base64, as data:image/png;base64,...");
        }
        String mediaType = header.substring(0, header.length() - ";base64".length());
        String encoded = url.substring(comma + 1);
        // Base64 takes 4 characters for 3 bytes: refuse an over-large image before decoding it.
        long decodedAtLeast = (encoded.length() / 4) * 3L - 2;
        if (decodedAtLeast > maxImageBytes) {
            throw tooLarge(param, decodedAtLeast);
        }
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(param, param + ": bad base64 in the data: URL (" + e.getMessage() + ")");
        }
        if (bytes.length == 0) {
            throw ApiException.invalid(param, param + ": the data: URL holds no bytes");
        }
        if (bytes.length > maxImageBytes) {
            throw tooLarge(param, bytes.length);
        }
        String extension = mediaType.startsWith("image/") ? mediaType.substring("image/".length()) : "image";
        return ImageInput.of(bytes, "image." + extension);
    }

    private ImageInput localFile(String url, String param) {
        if (allowedFolder.isEmpty()) {
            throw ApiException.invalid(param, param + ": only data: URLs are accepted (the server was started"
                    + " without a folder to read images from)");
        }
        String name = url.regionMatches(true, 0, "file://", 0, 7) ? url.substring(7) : url;
        Path file;
        try {
            Path asked = Path.of(name);
            file = (asked.isAbsolute() ? asked : allowedFolder.get().resolve(asked)).toRealPath();
        } catch (InvalidPathException | IOException e) {
            throw notAllowed(param, name);
        }
        if (!file.startsWith(allowedFolder.get()) || !Files.isRegularFile(file)) {
            throw notAllowed(param, name);
        }
        try {
            long size = Files.size(file);
            if (size > maxImageBytes) {
                throw tooLarge(param, size);
            }
        } catch (IOException e) {
            throw ApiException.invalid(param, param + ": cannot read " + name + " (" + e.getMessage() + ")");
        }
        return ImageInput.of(file);
    }

    /** The same answer for a missing file and one outside the folder: a client learns nothing of the host's files. */
    private static ApiException notAllowed(String param, String name) {
        return ApiException.invalid(param, param + ": " + name + " is not a readable file inside the allowed folder");
    }

    private ApiException tooLarge(String param, long bytes) {
        return new ApiException(400, "invalid_request_error", param, "image_too_large",
                param + ": the image is " + bytes + " bytes, more than this server's limit of " + maxImageBytes);
    }
}
