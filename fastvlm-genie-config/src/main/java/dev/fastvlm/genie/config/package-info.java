/**
 * Genie dialog configs ({@link dev.fastvlm.genie.config.GenieConfig}), the HTP backend extension
 * JSON, FastVLM's decoder geometry and the factory that turns them into a request's config.
 */
package dev.fastvlm.genie.config;
