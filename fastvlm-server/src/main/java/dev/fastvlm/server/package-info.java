/**
 * An OpenAI-compatible chat completions server over a pool of FastVLM devices:
 * {@link dev.fastvlm.server.FastVlmServer}.
 */
package dev.fastvlm.server;
