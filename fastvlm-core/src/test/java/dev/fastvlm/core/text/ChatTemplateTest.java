package dev.fastvlm.core.text;

import dev.fastvlm.InvalidInputException;
import dev.fastvlm.ModelArtifactException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChatTemplateTest {

    private static final List<ChatTemplate.Message> USER_HI = List.of(new ChatTemplate.Message("user", "Hi"));

    @Test
    void trimBlocksAndLstripBlocksAsInTransformers() {
        String source = "{% for message in messages %}\n    {{ message['role'] }}: {{ message['content'] }};\n{% endfor %}\n";
        assertThat(new ChatTemplate(source, Map.of()).render(USER_HI, false)).isEqualTo("    user: Hi;\n");
    }

    @Test
    void stringConcatenationEscapesAndGenerationPrompt() {
        String source = "{{ '<|im_start|>' + messages[0]['role'] + '\\n' + messages[0]['content'] }}"
                + "{% if add_generation_prompt %}{{ '\\n<|im_start|>assistant\\n' }}{% endif %}";
        ChatTemplate template = new ChatTemplate(source, Map.of());
        assertThat(template.render(USER_HI, true)).isEqualTo("<|im_start|>user\nHi\n<|im_start|>assistant\n");
        assertThat(template.render(USER_HI, false)).isEqualTo("<|im_start|>user\nHi");
    }

    @Test
    void specialTokenNamesAreBound() {
        ChatTemplate template = new ChatTemplate("{{ bos_token }}{{ messages[0]['content'] }}{{ eos_token }}",
                Map.of("bos_token", "<s>", "eos_token", "</s>"));
        assertThat(template.render(USER_HI, false)).isEqualTo("<s>Hi</s>");
    }

    @Test
    void tojsonFilter() {
        assertThat(new ChatTemplate("{{ messages[0] | tojson }}", Map.of()).render(USER_HI, false))
                .contains("\"role\":\"user\"").contains("\"content\":\"Hi\"");
    }

    @Test
    void loopVariablesAndTheSingleTrailingNewline() {
        String source = "{% for m in messages %}{% if loop.first %}[first]{% endif %}{{ m.content }}"
                + "{% if loop.last %}[last]{% endif %}{% endfor %}\n";
        List<ChatTemplate.Message> two = List.of(new ChatTemplate.Message("user", "a"),
                new ChatTemplate.Message("assistant", "b"));
        assertThat(new ChatTemplate(source, Map.of()).render(two, false)).isEqualTo("[first]ab[last]");
    }

    @Test
    void unparsableTemplateIsAModelArtifactError() {
        assertThatThrownBy(() -> new ChatTemplate("{% for m in messages %}{{ m.content }}", Map.of()))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("chat template does not parse");
    }

    @Test
    void rendersRepeatedlyFromTheParsedTree() {
        ChatTemplate template = new ChatTemplate("{{ messages[0]['content'] }}!", Map.of());
        assertThat(template.render(USER_HI, false)).isEqualTo("Hi!");
        assertThat(template.render(List.of(new ChatTemplate.Message("user", "Bye")), false)).isEqualTo("Bye!");
    }

    @Test
    void raiseExceptionRejectsTheConversation() {
        ChatTemplate template = new ChatTemplate(
                "{% if messages[0]['role'] != 'system' %}{{ raise_exception('Conversation must start with a system turn') }}{% endif %}",
                Map.of());
        assertThatThrownBy(() -> template.render(USER_HI, true))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("Conversation must start with a system turn");
    }
}
