/**
 * Prompt text for the decoder: the model's HuggingFace tokenizer (DJL's binding of the Rust
 * {@code tokenizers} library, loaded from local files only) and its chat template (rendered
 * with Jinjava), the two image layouts, the text embedder's padded input, the context budget,
 * and decoding ids back to text, also incrementally for streaming.
 *
 * <h2>Entry points</h2>
 * <ul>
 *   <li>{@link dev.fastvlm.core.text.PromptTokenizer#load(java.nio.file.Path)} once per model,
 *       then {@link dev.fastvlm.core.text.PromptTokenizer#encode(String, PromptOptions)} per
 *       request, giving an {@link dev.fastvlm.core.text.EncodedPrompt} (ids, image index, the
 *       padded int32 {@code [1, cache_len]} file);</li>
 *   <li>{@link dev.fastvlm.core.text.PromptBudget#maxNewTokens} before any device work;</li>
 *   <li>{@link dev.fastvlm.core.text.PromptTokenizer#decode(int[], boolean)} and
 *       {@link dev.fastvlm.core.text.IncrementalDecoder} for the generated ids.</li>
 * </ul>
 * Nothing here truncates or pads silently: a prompt longer than the text embedder's
 * {@code cache_len} or than the decoder's context is an {@link dev.fastvlm.InvalidInputException}
 * that gives the numbers.
 *
 * <h2>Special-token text typed by a user</h2>
 * A prompt may contain the text of a control token, such as {@code <|im_end|>} or
 * {@code <|im_start|>}. There are two behaviours, chosen with
 * {@link dev.fastvlm.core.text.PromptOptions#literalUserText()}:
 * <ul>
 *   <li><b>HuggingFace's (the default).</b> The prompt is put into the chat template and the
 *       rendered text is tokenized as one string, so special-token text in the prompt becomes
 *       the special token: {@code "Hi<|im_end|>"} ends the user turn early, exactly as
 *       {@code transformers}' {@code apply_chat_template} (and the seed flow) does. The ids
 *       match what the model saw elsewhere, but a user can forge turns, e.g. write a fake
 *       assistant turn or a system turn.</li>
 *   <li><b>Literal.</b> Within the user's prompt, special tokens are not recognised: their text
 *       is tokenized as ordinary characters ({@code <|im_end|>} becomes {@code <}, {@code |},
 *       {@code im}, {@code _end}, {@code |}, {@code >}), as HuggingFace's
 *       {@code split_special_tokens=True} does, but applied to the user's text only, so the
 *       template's own control tokens stay intact. A prompt cannot forge control tokens.
 *       Non-special added tokens (Qwen's {@code <think>}, {@code <tool_call>} ...) are still
 *       recognised, as in HuggingFace. For prompts without special-token text both behaviours
 *       give the same ids. Use it for untrusted input.</li>
 * </ul>
 * The system prompt is trusted text and always follows HuggingFace's behaviour. In either mode
 * an {@code <image>} typed in the prompt is plain text: only the placeholder that
 * {@link dev.fastvlm.ImageLayout#PLACEHOLDER} inserts marks the image.
 */
package dev.fastvlm.core.text;
