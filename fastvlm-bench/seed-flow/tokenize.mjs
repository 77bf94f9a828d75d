// The seed flow's step 3 with transformers.js: chat template, add_generation_prompt, pad to cache_len
// with int32 pad ids, tofile; also the meta file step 7 reads (token_ids).
// Usage: node tokenize.mjs MODEL_DIR PROMPT CACHE_LEN PAD_ID EMBED_OUT META_OUT
import { AutoTokenizer, env } from '@huggingface/transformers';
import fs from 'node:fs';
import path from 'node:path';

const [modelDir, prompt, cacheLen, padId, embedOut, metaOut] = process.argv.slice(2);
env.allowRemoteModels = false;
env.localModelPath = path.dirname(path.resolve(modelDir));
const tokenizer = await AutoTokenizer.from_pretrained(path.basename(path.resolve(modelDir)));
let tokenIds;
if (tokenizer.chat_template || tokenizer.apply_chat_template) {
  const messages = [{ role: 'user', content: prompt }];
  // transformers.js returns {input_ids, attention_mask} where Python returns the list of ids.
  const encoded = tokenizer.apply_chat_template(messages, {
    tokenize: true, add_generation_prompt: true, return_tensor: false });
  tokenIds = Array.from(encoded.input_ids ?? encoded);
} else {
  tokenIds = Array.from(tokenizer.encode(prompt, { add_special_tokens: true }));
}
if (tokenIds.length === 0 || tokenIds.length > Number(cacheLen)) {
  console.error(`step 3: ${tokenIds.length} token ids for a context of ${cacheLen}`);
  process.exit(1);
}
const inputIds = new Int32Array(Number(cacheLen)).fill(Number(padId));
inputIds.set(tokenIds);
fs.writeFileSync(embedOut, Buffer.from(inputIds.buffer));
fs.writeFileSync(metaOut, JSON.stringify({ token_ids: tokenIds }));
