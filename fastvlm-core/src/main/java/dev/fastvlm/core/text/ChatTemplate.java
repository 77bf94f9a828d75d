package dev.fastvlm.core.text;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.AutoCloseableSupplier;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TreeParser;
import dev.fastvlm.InvalidInputException;
import dev.fastvlm.ModelArtifactException;

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

    static {
        JinjavaModule.read(ChatTemplate.class);
    }

    private final JinjavaConfig config;
    private final Jinjava jinjava;
    private final Map<String, String> specialTokens;
    /** Parsed once: parsing on every render costs several times the rendering itself. */
    private final Node tree;

    ChatTemplate(String source, Map<String, String> specialTokens) {
        // Jinja2's keep_trailing_newline=False, which transformers keeps.
        String trimmed = source.endsWith("\n") ? source.substring(0, source.length() - 1) : source;
        this.specialTokens = Map.copyOf(specialTokens);
        this.config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .build();
        this.jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "raise_exception", ChatTemplate.class, "raiseException", String.class));
        JinjavaInterpreter parser = jinjava.newInterpreter();
        this.tree = new TreeParser(parser, trimmed).buildTree();
        List<TemplateError> fatal = fatal(parser.getErrors());
        if (!fatal.isEmpty()) {
            throw new ModelArtifactException("chat template does not parse: " + describe(fatal));
        }
    }

    /** One message of a conversation, bound as {@code {"role": ..., "content": ...}}. */
    record Message(String role, String content) {
        Map<String, Object> toBinding() {
            return Map.of("role", role, "content", content);
        }
    }

    /** Renders one conversation; serialised because the parsed tree is shared between renders. */
    synchronized String render(List<Message> messages, boolean addGenerationPrompt) {
        Map<String, Object> bindings = new HashMap<>(specialTokens);
        bindings.put("messages", messages.stream().map(Message::toBinding).collect(Collectors.toList()));
        bindings.put("add_generation_prompt", addGenerationPrompt);
        Context context = new Context(jinjava.getGlobalContext(), bindings, config.getDisabled());
        JinjavaInterpreter interpreter = new JinjavaInterpreter(jinjava, context, config);
        String output;
        try (AutoCloseableSupplier.AutoCloseableImpl<JinjavaInterpreter> current =
                     JinjavaInterpreter.closeablePushCurrent(interpreter).get()) {
            output = current.value().render(tree, false);
        }
        List<TemplateError> fatal = fatal(interpreter.getErrors());
        if (!fatal.isEmpty()) {
            throw new InvalidInputException("chat template failed: " + describe(fatal));
        }
        return output;
    }

    private static List<TemplateError> fatal(List<TemplateError> errors) {
        return errors.stream().filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL).collect(Collectors.toList());
    }

    private static String describe(List<TemplateError> errors) {
        return errors.stream().map(ChatTemplate::describe).collect(Collectors.joining("; "));
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
