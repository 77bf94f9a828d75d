package dev.fastvlm.core.text;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.fastvlm.InvalidInputException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A HuggingFace chat template ({@code chat_template} in {@code tokenizer_config.json}) rendered
 * with Jinjava the way {@code transformers} renders it with Jinja2: {@code trim_blocks} and
 * {@code lstrip_blocks} on, the template's single trailing newline dropped, the special-token
 * names and {@code add_generation_prompt} bound, and {@code raise_exception(msg)} available.
 * Jinjava already provides the {@code tojson} filter that templates use.
 */
final class ChatTemplate {

    private final String source;
    private final Jinjava jinjava;
    private final Map<String, String> specialTokens;

    ChatTemplate(String source, Map<String, String> specialTokens) {
        // Jinja2's keep_trailing_newline=False, which transformers keeps.
        this.source = source.endsWith("\n") ? source.substring(0, source.length() - 1) : source;
        this.specialTokens = Map.copyOf(specialTokens);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .build();
        this.jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "raise_exception", ChatTemplate.class, "raiseException", String.class));
    }

    /** One message of a conversation, bound as {@code {"role": ..., "content": ...}}. */
    record Message(String role, String content) {
        Map<String, Object> toBinding() {
            return Map.of("role", role, "content", content);
        }
    }

    String render(List<Message> messages, boolean addGenerationPrompt) {
        Map<String, Object> bindings = new HashMap<>(specialTokens);
        bindings.put("messages", messages.stream().map(Message::toBinding).collect(Collectors.toList()));
        bindings.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result = jinjava.renderForResult(source, bindings);
        List<TemplateError> fatal = result.getErrors().stream()
                .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
                .collect(Collectors.toList());
        if (!fatal.isEmpty()) {
            throw new InvalidInputException("chat template failed: " + fatal.stream()
                    .map(ChatTemplate::describe).collect(Collectors.joining("; ")));
        }
        return result.getOutput();
    }

    /** The template's own message for {@code raise_exception}, Jinjava's for everything else. */
    private static String describe(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof TemplateRaisedException) {
                return t.getMessage();
            }
        }
        return error.getMessage();
    }

    /** The template-callable {@code raise_exception}: templates use it to reject a conversation. */
    public static String raiseException(String message) {
        throw new TemplateRaisedException(message);
    }

    /** What {@code raise_exception} throws; Jinjava turns it into a fatal render error. */
    static final class TemplateRaisedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TemplateRaisedException(String message) {
            super(message);
        }
    }
}
